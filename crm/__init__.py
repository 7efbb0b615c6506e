"""The CRM core: use cases and rules. Knows nothing of Telegram."""
