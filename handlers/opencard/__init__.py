"""The open card: what plain text sent after opening a card does, under the member's control.

A text sent as a reply to a card's message goes into that card's history (a dialog's
question left waiting ends: ``replies``); with a card open, text goes into the open
card's history (a deal's card: the deal's; a record's card: the record's), except a
short text that names another client, which is asked about instead of guessed.
"""
