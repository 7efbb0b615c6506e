"""The way in: /start, /help, /cancel, the command menu, and what nobody else understood."""
