"""Clients: the card and its timeline, the new-client dialog, edits, notes, the list, search."""
