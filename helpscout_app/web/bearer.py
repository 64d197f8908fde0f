"""The shared-secret token the managers' pages take: `Authorization: Bearer <token>`."""

from __future__ import annotations

import hmac

from flask import request
from pydantic import SecretStr


def offered_bearer_token() -> str:
    """The token of the request's `Authorization: Bearer …` header; empty without one."""
    header = request.headers.get("Authorization", "")
    return header[7:] if header.startswith("Bearer ") else ""


def token_matches(offered: str, expected: SecretStr | None) -> bool:
    """`offered` is the configured token (compared in constant time); never with none set."""
    if expected is None or not offered:
        return False
    return hmac.compare_digest(offered.encode(), expected.get_secret_value().encode())
