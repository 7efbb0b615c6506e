"""Deals: the card, stages, won and lost, edits, new deals and the /deals overview."""
