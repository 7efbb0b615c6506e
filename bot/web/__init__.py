"""The HTTP server inside the bot process: lead intake, health, metrics, Telegram's webhook."""
