"""What the open card's question remembers until it is answered."""

from __future__ import annotations

import dataclasses

from handlers.kit.dialogs import DialogData


@dataclasses.dataclass(frozen=True)
class PendingText(DialogData):
    """A text asked about ("comment on X, or search?"): the card open when it was sent.

    Kept beside any dialog's data (no dialog state is set); a dialog started meanwhile
    clears it, so a late press finds nothing and says so.
    """

    pending_key: int = 0
    pending_text: str | None = None
    pending_client: int = 0
    pending_deal: int = 0
