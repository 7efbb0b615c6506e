"""Pure parsers for what people type into the bot: phones, e-mails, quick-add lines, search."""
