"""Telegram UI, proactive: the clock, the outbox sender and what it renders."""
