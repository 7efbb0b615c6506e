"""``python -m bot webhook set|delete|info``: registering the webhook is a deploy step,
done once, not by every instance when it starts."""

from __future__ import annotations

from aiogram import Bot

from bot.app import build_app
from bot.config import Settings


async def webhook_command(settings: Settings, action: str) -> str:
    """Do ``action`` with Telegram and return what to print."""
    app = build_app(settings)
    try:
        bot: Bot = app.bot
        if action == "set":
            if settings.webhook_url is None or settings.webhook_secret is None:
                return "WEBHOOK_URL and WEBHOOK_SECRET must both be set."
            await bot.set_webhook(
                settings.webhook_url,
                secret_token=settings.webhook_secret.get_secret_value(),
                allowed_updates=app.dispatcher.resolve_used_update_types(),
                drop_pending_updates=False,
            )
            return f"Webhook set to {settings.webhook_url}."
        if action == "delete":
            await bot.delete_webhook(drop_pending_updates=False)
            return "Webhook deleted; the bot can use long polling again."
        info = await bot.get_webhook_info()
        lines = [
            f"url: {info.url or '(none: long polling)'}",
            f"pending updates: {info.pending_update_count}",
        ]
        if info.last_error_message:
            lines.append(f"last error: {info.last_error_message} at {info.last_error_date}")
        if info.allowed_updates:
            lines.append(f"allowed updates: {', '.join(info.allowed_updates)}")
        return "\n".join(lines)
    finally:
        await app.close()
