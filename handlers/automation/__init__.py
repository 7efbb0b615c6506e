"""Automation in Telegram: the owner's rules under /settings, and how firings read."""
