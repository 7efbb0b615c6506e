"""The HTTP server inside the bot process: health, metrics, the Telegram webhook, lead intake."""
