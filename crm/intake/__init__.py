"""Leads that come in by themselves: website forms, Telegram Business chats, the queue."""
