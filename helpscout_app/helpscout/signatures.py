"""Help Scout request signatures: base64 of HMAC-SHA1, keyed with a secret we chose.

Two documented variants (reference/helpscout.md):

- Webhooks (§1.4) and legacy Dynamic sidebar apps (§3.a): header `X-HelpScout-Signature` over
  the raw request body, exactly as received. Verify before parsing; never re-serialize the JSON.
- New-platform sidebar apps (§3.b): query parameter `X-HelpScout-Signature` over the JSON
  encoding of the request's other query parameters, minus any we put in the callback URL.

Predicates (`is_valid_…`) return a bool and never raise on what a request carries; `verify_…`
raise `InvalidSignature`. A blank secret raises `ValueError` in every function: a missing setting
must never turn into "accept everything".
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from urllib.parse import parse_qsl

from pydantic import SecretStr

from helpscout_app.helpscout.errors import InvalidSignature
from helpscout_app.helpscout.headers import header_value

SIGNATURE_HEADER = "X-HelpScout-Signature"
"""Header carrying the signature of a webhook or legacy sidebar request (case-insensitive)."""

SIGNATURE_QUERY_PARAMETER = "X-HelpScout-Signature"
"""Query parameter carrying the signature of a new-platform sidebar app request (case-sensitive)."""

Secret = str | bytes | SecretStr


def generate_signature(secret: Secret, raw_body: str | bytes) -> str:
    """The signature Help Scout sends for `raw_body` (a str is signed as its UTF-8 bytes).

    Public so tests and the local webhook sender sign payloads the way Help Scout does.
    """
    return _sign(_secret_key(secret), _as_bytes(raw_body)).decode("ascii")


def is_valid_signature(raw_body: object, signature: object, secret: Secret) -> bool:
    """True when `signature` is the signature of `raw_body` under `secret`.

    False for a missing, empty, non-ASCII or otherwise wrong signature, and for a body that is
    neither bytes nor str; compared in constant time. Raises only for a blank secret.
    """
    key = _secret_key(secret)
    signature_bytes = _signature_bytes(signature)
    if signature_bytes is None or not isinstance(raw_body, str | bytes | bytearray):
        return False
    try:
        body = _as_bytes(raw_body)
    except UnicodeEncodeError:  # a str holding lone surrogates: nobody signed that
        return False
    return hmac.compare_digest(_sign(key, body), signature_bytes)


def verify_signature(raw_body: object, signature: object, secret: Secret) -> None:
    """Raise `InvalidSignature` unless `signature` signs `raw_body` under `secret`."""
    if not is_valid_signature(raw_body, signature, secret):
        raise InvalidSignature(_refusal(signature, f"the {SIGNATURE_HEADER} header"))


def verify_webhook_signature(raw_body: bytes, headers: Mapping[str, str], secret: Secret) -> None:
    """Check a webhook (or legacy sidebar) request's signature header against its raw body.

    `headers` may be Flask's `request.headers` or a plain dict; the name is matched in any case.
    Raises `InvalidSignature` when the header is missing or wrong.
    """
    verify_signature(raw_body, header_value(headers, SIGNATURE_HEADER), secret)


def generate_query_signature(secret: Secret, params: Iterable[tuple[str, str]]) -> str:
    """The signature of a sidebar-app request with these query parameters, in this order.

    Follows the PHP example of Help Scout's guide: `json_encode` of the parameters (compact,
    `/` escaped as `\\/`, non-ASCII as `\\uXXXX`), HMAC-SHA1, base64.
    """
    return _sign(_secret_key(secret), _php_json_encode(_ordered(params))).decode("ascii")


def is_valid_query_signature(
    query_string: object, secret: Secret, *, own_params: Collection[str] = ()
) -> bool:
    """True when the query string's `X-HelpScout-Signature` signs its other parameters.

    `own_params` names the parameters we wrote into the callback URL ourselves; Help Scout did not
    sign those (reference §3.b). Order matters: parameters are signed in the order they appear.
    Help Scout's own encoder is not documented, only the PHP check; both the PHP encoding and a
    plain JSON encoding (slashes and non-ASCII left as they are, as JavaScript's
    `JSON.stringify` writes them) are accepted, because a real request may use either
    (UNCONFIRMED which, reference §3.b). A parameter name given more than once is refused (see
    `signed_query_params`). Never raises, except for a blank secret.
    """
    key = _secret_key(secret)
    pairs = _query_pairs(query_string)
    if pairs is None or _repeated_names(pairs):
        return False
    return _pairs_are_signed(key, pairs, own_params)


def signed_query_params(
    query_string: object, secret: Secret, *, own_params: Collection[str] = ()
) -> dict[str, str]:
    """The parameters Help Scout signed, exactly as checked; raises `InvalidSignature`.

    Read the request from this dict, never from a second parse of the URL: with a name given
    twice, a signature computed over one value (PHP's `$_GET` keeps the last) would vouch for
    the other one a framework reads (Flask's `request.args.get` keeps the first), so any
    repeated name is refused outright. Our own parameters and the signature are left out.
    """
    key = _secret_key(secret)
    pairs = _query_pairs(query_string)
    where = f"the {SIGNATURE_QUERY_PARAMETER} query parameter"
    if pairs is None:
        raise InvalidSignature(_refusal(None, where))
    repeated = _repeated_names(pairs)
    if repeated:
        raise InvalidSignature(
            f"request refused: the query parameter {sorted(repeated)[0][:40]!r} is repeated"
        )
    if not _pairs_are_signed(key, pairs, own_params):
        has_signature = any(name == SIGNATURE_QUERY_PARAMETER for name, _ in pairs)
        raise InvalidSignature(_refusal("present" if has_signature else None, where))
    excluded = {SIGNATURE_QUERY_PARAMETER, *own_params}
    return {name: value for name, value in pairs if name not in excluded}


def verify_query_signature(
    query_string: object, secret: Secret, *, own_params: Collection[str] = ()
) -> None:
    """Raise `InvalidSignature` unless the sidebar request's query string is signed by `secret`."""
    signed_query_params(query_string, secret, own_params=own_params)


def _query_pairs(query_string: object) -> list[tuple[str, str]] | None:
    """The query string's (name, value) pairs in order; None when it is not text or bytes."""
    if isinstance(query_string, bytes | bytearray):
        query_string = bytes(query_string).decode("latin-1")  # percent-encoded: ASCII in practice
    if not isinstance(query_string, str):
        return None
    return parse_qsl(query_string, keep_blank_values=True, errors="replace")


def _repeated_names(pairs: list[tuple[str, str]]) -> set[str]:
    """Names that occur more than once (the signature's own name included)."""
    counts = Counter(name for name, _ in pairs)
    return {name for name, count in counts.items() if count > 1}


def _pairs_are_signed(
    key: bytes, pairs: list[tuple[str, str]], own_params: Collection[str]
) -> bool:
    """Whether the signature among `pairs` signs the others (names already known unique)."""
    signatures = [value for name, value in pairs if name == SIGNATURE_QUERY_PARAMETER]
    signature_bytes = _signature_bytes(signatures[-1] if signatures else None)
    if signature_bytes is None:
        return False
    excluded = {SIGNATURE_QUERY_PARAMETER, *own_params}
    params = _ordered((name, value) for name, value in pairs if name not in excluded)
    try:
        encodings = (_php_json_encode(params), _plain_json_encode(params))
    except UnicodeEncodeError:  # lone surrogates after "errors=replace": not a real request
        return False
    # Both digests are computed and compared, so timing does not tell which encoding matched.
    matches = [hmac.compare_digest(_sign(key, encoded), signature_bytes) for encoded in encodings]
    return any(matches)


def _secret_key(secret: Secret) -> bytes:
    """The HMAC key; `ValueError` for a blank secret, `TypeError` for something else entirely."""
    if isinstance(secret, SecretStr):
        secret = secret.get_secret_value()
    if isinstance(secret, str):
        key = secret.encode("utf-8")
    elif isinstance(secret, bytes):
        key = secret
    else:
        raise TypeError(f"the signing secret must be a str, got {type(secret).__name__}")
    if not key.strip():
        raise ValueError(
            "the Help Scout signing secret is empty; set HELPSCOUT_WEBHOOK_SECRET "
            "(or HELPSCOUT_SIDEBAR_SECRET) instead of turning the check off"
        )
    return key


def _sign(key: bytes, message: bytes) -> bytes:
    """base64(HMAC-SHA1(key, message)), as ASCII bytes."""
    return base64.b64encode(hmac.new(key, message, hashlib.sha1).digest())


def _signature_bytes(signature: object) -> bytes | None:
    """The received signature as bytes to compare, or None when it cannot be one."""
    if isinstance(signature, bytes | bytearray):
        signature = bytes(signature).decode("ascii", errors="replace")
    if not isinstance(signature, str):
        return None
    try:
        signature_bytes = signature.strip().encode("ascii")
    except UnicodeEncodeError:  # base64 is ASCII; anything else is not ours
        return None
    return signature_bytes or None


def _as_bytes(raw_body: str | bytes | bytearray) -> bytes:
    """Bytes as signed: a str is taken as its UTF-8 encoding."""
    return raw_body.encode("utf-8") if isinstance(raw_body, str) else bytes(raw_body)


def _ordered(params: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Parameters by name in order, as PHP's `$_GET` has them (names are unique by now)."""
    ordered: dict[str, str] = {}
    for name, value in params:
        ordered[name] = value
    return ordered


def _php_json_encode(params: dict[str, str]) -> bytes:
    """PHP `json_encode($params)` with default flags, which Help Scout's guide signs."""
    if not params:
        return b"[]"  # PHP encodes an empty array as a list
    encoded = json.dumps(params, separators=(",", ":"), ensure_ascii=True)
    # PHP escapes "/" by default; "/" only occurs inside strings in JSON text, so this is exact.
    return encoded.replace("/", "\\/").encode("ascii")


def _plain_json_encode(params: dict[str, str]) -> bytes:
    """Compact JSON without PHP's escapes (JavaScript's `JSON.stringify`)."""
    return json.dumps(params, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _refusal(signature: object, where: str) -> str:
    """The one-line reason a request is refused; never echoes the signature itself."""
    if signature is None or (isinstance(signature, str | bytes) and not signature.strip()):
        return f"request refused: {where} is missing"
    return f"request refused: {where} does not match the body and our secret"
