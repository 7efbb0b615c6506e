"""What every feature uses: screens, errors, keyboards, labels, middlewares."""
