"""Templates in Telegram: the owner's templates under /settings, and "📨 Send" on cards."""
