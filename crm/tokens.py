"""Secrets for deep links: random, URL-safe, and stored only as a hash."""

from __future__ import annotations

import hashlib
import re
import secrets

# Telegram deep-link payloads allow A-Z, a-z, 0-9, _ and - and up to 64 characters.
_PAYLOAD = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def new_token() -> str:
    return secrets.token_urlsafe(18)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def looks_like_token(text: str) -> bool:
    return bool(_PAYLOAD.match(text))
