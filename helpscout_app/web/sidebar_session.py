"""The sidebar session: a short-lived signed token minted after Help Scout's signature checked out.

Help Scout signs the request that loads the sidebar (reference/helpscout.md §3), and nothing
after it: the iframe's own calls (the "check this text" box) and the widget's buttons carry this
token instead. It names the conversation and the orders the page was built for, so a token can
act on that conversation and those orders only. Signed with HELPSCOUT_SIDEBAR_SECRET (itsdangerous,
HMAC), good for SIDEBAR_SESSION_TTL_S.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from itsdangerous import BadSignature, URLSafeTimedSerializer
from pydantic import SecretStr

SALT = "amz-guard-sidebar-session"
"""Keeps these tokens apart from anything else signed with the same secret."""

HEADER = "X-Amz-Guard-Session"
"""Header the iframe's JSON calls carry the token in (forms send it as the field `session`)."""


class InvalidSession(Exception):
    """The sidebar session token is missing, forged or expired."""


@dataclass(frozen=True)
class SidebarSession:
    """Who opened which conversation; `order_ids` are the orders the page showed, and
    `waiting_since` the time of the buyer message it showed waiting (what "marked in Seller
    Central" may cover: a message that arrived after the page loaded was not seen), and
    `marketplace_id` the buyer's marketplace (SP-API must be asked in the order's marketplace,
    and the cached order that also says it lasts only ORDER_CACHE_TTL_S)."""

    conversation_id: int | None
    user_id: int | None = None
    user_name: str | None = None
    order_ids: tuple[str, ...] = ()
    waiting_since: datetime | None = None
    marketplace_id: str | None = None  # the page's marketplace, for SP-API calls on its orders


def _serializer(secret: SecretStr) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret.get_secret_value(), salt=SALT)


def mint_session(secret: SecretStr, session: SidebarSession) -> str:
    """A token for `session`."""
    return _serializer(secret).dumps(
        {
            "c": session.conversation_id,
            "u": session.user_id,
            "n": session.user_name,
            "o": list(session.order_ids),
            "w": session.waiting_since.isoformat() if session.waiting_since else None,
            "m": session.marketplace_id,
        }
    )


def read_session(secret: SecretStr, token: object, *, max_age_s: int) -> SidebarSession:
    """The session in `token`; raises `InvalidSession` when it is missing, forged or too old."""
    if not isinstance(token, str) or not token.strip():
        raise InvalidSession("no sidebar session: reload the sidebar")
    try:
        values = _serializer(secret).loads(token.strip(), max_age=max_age_s)
    except BadSignature as err:  # SignatureExpired is a BadSignature
        raise InvalidSession(
            "the sidebar session is invalid or expired: reload the sidebar"
        ) from err
    if not isinstance(values, dict):
        raise InvalidSession("the sidebar session is unreadable: reload the sidebar")
    conversation_id = values.get("c")
    user_id = values.get("u")
    return SidebarSession(
        conversation_id=conversation_id if isinstance(conversation_id, int) else None,
        user_id=user_id if isinstance(user_id, int) else None,
        user_name=values.get("n") if isinstance(values.get("n"), str) else None,
        order_ids=tuple(str(order_id) for order_id in values.get("o") or ()),
        waiting_since=_aware_time(values.get("w")),
        marketplace_id=values.get("m") if isinstance(values.get("m"), str) else None,
    )


def _aware_time(value: object) -> datetime | None:
    """A timezone-aware time from the token's ISO text, else None."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else None
