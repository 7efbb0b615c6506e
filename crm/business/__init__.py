"""The Telegram Business inbox: members' connected accounts and their customers' chats."""
