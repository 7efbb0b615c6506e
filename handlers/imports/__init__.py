"""Imports and exports: a sent spreadsheet becomes cards (mapping, preview, duplicates, a
background run, undo); /export files of clients, deals and tasks; /backup for the owner."""

from handlers.imports import backup, batches, exports, flow, holds

__all__ = ["backup", "batches", "exports", "flow", "holds"]
