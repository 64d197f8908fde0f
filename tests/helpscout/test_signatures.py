"""Help Scout signatures: the published vector first, then one test per way to fail."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from urllib.parse import urlencode

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import SecretStr
from werkzeug.datastructures import Headers

from helpscout_app.helpscout.errors import InvalidSignature
from helpscout_app.helpscout.signatures import (
    generate_query_signature,
    generate_signature,
    is_valid_query_signature,
    is_valid_signature,
    signed_query_params,
    verify_query_signature,
    verify_signature,
    verify_webhook_signature,
)

# Help Scout's published example (helpscout-api-php, examples/incoming_webhook.php; reference
# §1.4): never a value computed by our own code.
SECRET = "asdfasdf"
RAW_BODY = b'{"id":123}'
SIGNATURE = "7S2+kN8bZsrdAEADJ+yYfWWsf/4="


# --- the published vector ---------------------------------------------------------------------


def test_generate_signature_matches_the_published_vector() -> None:
    assert generate_signature(SECRET, RAW_BODY) == SIGNATURE


def test_published_vector_is_valid() -> None:
    assert is_valid_signature(RAW_BODY, SIGNATURE, SECRET)
    verify_signature(RAW_BODY, SIGNATURE, SECRET)  # does not raise


def test_secret_may_be_a_secret_str_or_bytes() -> None:
    assert is_valid_signature(RAW_BODY, SIGNATURE, SecretStr(SECRET))
    assert is_valid_signature(RAW_BODY, SIGNATURE, SECRET.encode())


def test_str_body_is_signed_as_its_utf8_bytes() -> None:
    assert generate_signature(SECRET, RAW_BODY.decode()) == SIGNATURE
    assert is_valid_signature(RAW_BODY.decode(), SIGNATURE, SECRET)


def test_bytes_signature_is_accepted() -> None:
    assert is_valid_signature(RAW_BODY, SIGNATURE.encode(), SECRET)


def test_surrounding_whitespace_in_the_header_is_ignored() -> None:
    assert is_valid_signature(RAW_BODY, f" {SIGNATURE}\r\n", SECRET)


def test_verify_webhook_signature_reads_the_header_in_any_case() -> None:
    verify_webhook_signature(RAW_BODY, {"x-helpscout-signature": SIGNATURE}, SECRET)
    verify_webhook_signature(RAW_BODY, {"X-HELPSCOUT-SIGNATURE": SIGNATURE}, SECRET)
    verify_webhook_signature(RAW_BODY, Headers({"X-HelpScout-Signature": SIGNATURE}), SECRET)


# --- ways to fail -----------------------------------------------------------------------------


def test_tampered_body_fails() -> None:
    assert not is_valid_signature(b'{"id":124}', SIGNATURE, SECRET)


def test_reserialized_body_fails() -> None:
    # The same JSON with other whitespace: why the raw bytes must be checked, not the parse.
    assert not is_valid_signature(b'{"id": 123}', SIGNATURE, SECRET)


def test_wrong_secret_fails() -> None:
    assert not is_valid_signature(RAW_BODY, SIGNATURE, "asdfasdg")


def test_missing_signature_fails() -> None:
    assert not is_valid_signature(RAW_BODY, None, SECRET)


def test_empty_signature_fails() -> None:
    assert not is_valid_signature(RAW_BODY, "", SECRET)
    assert not is_valid_signature(RAW_BODY, "   ", SECRET)


def test_signature_of_another_type_fails() -> None:
    assert not is_valid_signature(RAW_BODY, 12345, SECRET)
    assert not is_valid_signature(RAW_BODY, ["7S2+kN8bZsrdAEADJ+yYfWWsf/4="], SECRET)


@pytest.mark.parametrize(
    "garbage",
    [
        "not base64 at all!",
        "7S2+kN8bZsrdAEADJ+yYfWWsf/4",  # padding dropped
        "7s2+kn8bzsrdaeadj+yyfwwsf/4=",  # case folded
        "7S2-kN8bZsrdAEADJ-yYfWWsf_4=",  # URL-safe alphabet
        "7S2+kN8bZsrdAEADJ+yYfWWsf/4=7S2+",
        "ЭS2+kN8bZsrdAEADJ+yYfWWsf/4=",  # non-ASCII look-alike
        "\ud800",  # lone surrogate
        b"\xff\xfe",
    ],
)
def test_garbage_signature_fails(garbage: str | bytes) -> None:
    assert not is_valid_signature(RAW_BODY, garbage, SECRET)


def test_body_of_another_type_fails() -> None:
    assert not is_valid_signature(None, SIGNATURE, SECRET)
    assert not is_valid_signature({"id": 123}, SIGNATURE, SECRET)


def test_str_body_with_lone_surrogate_fails() -> None:
    assert not is_valid_signature('{"id":"\ud800"}', SIGNATURE, SECRET)


def test_verify_signature_raises_and_says_missing() -> None:
    with pytest.raises(InvalidSignature, match="X-HelpScout-Signature header is missing"):
        verify_signature(RAW_BODY, None, SECRET)


def test_verify_signature_raises_and_says_mismatch_without_echoing_it() -> None:
    with pytest.raises(InvalidSignature, match="does not match") as raised:
        verify_signature(RAW_BODY, "forged-signature", SECRET)
    assert "forged-signature" not in str(raised.value)


def test_verify_webhook_signature_without_the_header_raises() -> None:
    with pytest.raises(InvalidSignature, match="missing"):
        verify_webhook_signature(RAW_BODY, {"X-HelpScout-Event": "convo.created"}, SECRET)


@pytest.mark.parametrize("blank", ["", "   ", b"", SecretStr("")])
def test_blank_secret_is_a_configuration_error_never_accept_everything(
    blank: str | bytes | SecretStr,
) -> None:
    with pytest.raises(ValueError, match="HELPSCOUT_WEBHOOK_SECRET"):
        is_valid_signature(RAW_BODY, SIGNATURE, blank)
    with pytest.raises(ValueError, match="empty"):
        generate_signature(blank, RAW_BODY)
    with pytest.raises(ValueError, match="empty"):
        verify_webhook_signature(RAW_BODY, {"X-HelpScout-Signature": SIGNATURE}, blank)


def test_secret_of_another_type_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="must be a str"):
        is_valid_signature(RAW_BODY, SIGNATURE, None)  # type: ignore[arg-type]


@given(
    raw_body=st.one_of(st.binary(), st.text()),
    signature=st.one_of(st.none(), st.binary(), st.text()),
)
def test_is_valid_signature_never_raises_on_what_a_request_carries(
    raw_body: bytes | str, signature: bytes | str | None
) -> None:
    assert is_valid_signature(raw_body, signature, SECRET) in (True, False)


@given(raw_body=st.binary())
def test_generated_signature_is_valid_and_28_characters(raw_body: bytes) -> None:
    signature = generate_signature("a-secret", raw_body)
    assert len(signature) == 28
    assert is_valid_signature(raw_body, signature, "a-secret")


# --- sidebar apps on the new platform: signature in the query string (reference §3.b) ------------

SIDEBAR_SECRET = "sidebar-secret"
# Parameter names as a public sidebar app receives them; values are made up.
SIDEBAR_PARAMS = [
    ("conversation-id", "3120419377"),
    ("conversation-number", "4187"),
    ("customer-id", "881234567"),
    ("mailbox-id", "101"),
    ("user-id", "531200"),
]


def _php_signature(params: list[tuple[str, str]]) -> str:
    """The guide's PHP check, `base64(hmac_sha1(json_encode($params)))`, written out by hand."""
    encoded = json.dumps(dict(params), separators=(",", ":")).replace("/", "\\/")
    digest = hmac.new(SIDEBAR_SECRET.encode(), encoded.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def _query(params: list[tuple[str, str]], signature: str) -> str:
    """A query string with Help Scout's signature parameter last."""
    return urlencode([*params, ("X-HelpScout-Signature", signature)])


def test_query_signature_is_the_php_json_encode_of_the_parameters() -> None:
    assert generate_query_signature(SIDEBAR_SECRET, SIDEBAR_PARAMS) == _php_signature(
        SIDEBAR_PARAMS
    )


def test_query_signature_is_valid_for_str_and_bytes_query_strings() -> None:
    query = _query(SIDEBAR_PARAMS, _php_signature(SIDEBAR_PARAMS))
    assert is_valid_query_signature(query, SIDEBAR_SECRET)
    assert is_valid_query_signature(query.encode(), SIDEBAR_SECRET)
    verify_query_signature(query, SIDEBAR_SECRET)


def test_query_signature_ignores_our_own_parameters() -> None:
    query = "view=sla&" + _query(SIDEBAR_PARAMS, _php_signature(SIDEBAR_PARAMS))
    assert not is_valid_query_signature(query, SIDEBAR_SECRET)
    assert is_valid_query_signature(query, SIDEBAR_SECRET, own_params={"view"})


def test_query_signature_escapes_slashes_like_php_and_accepts_plain_json() -> None:
    params = [("application-slug", "a/b"), ("user-name", "Zoë")]
    php_form = generate_query_signature(SIDEBAR_SECRET, params)
    plain = json.dumps(dict(params), separators=(",", ":"), ensure_ascii=False)
    plain_form = base64.b64encode(
        hmac.new(SIDEBAR_SECRET.encode(), plain.encode(), hashlib.sha1).digest()
    ).decode()
    assert php_form != plain_form
    assert is_valid_query_signature(_query(params, php_form), SIDEBAR_SECRET)
    assert is_valid_query_signature(_query(params, plain_form), SIDEBAR_SECRET)


def test_query_signature_depends_on_parameter_order() -> None:
    signature = _php_signature(SIDEBAR_PARAMS)
    reordered = list(reversed(SIDEBAR_PARAMS))
    assert not is_valid_query_signature(_query(reordered, signature), SIDEBAR_SECRET)


def test_query_signature_tampered_parameter_fails() -> None:
    signature = _php_signature(SIDEBAR_PARAMS)
    tampered = [
        (name, "1" if name == "conversation-id" else value) for name, value in SIDEBAR_PARAMS
    ]
    assert not is_valid_query_signature(_query(tampered, signature), SIDEBAR_SECRET)


def test_query_signature_wrong_secret_fails() -> None:
    query = _query(SIDEBAR_PARAMS, _php_signature(SIDEBAR_PARAMS))
    assert not is_valid_query_signature(query, "another-secret")


def test_query_without_signature_fails_and_says_missing() -> None:
    query = urlencode(SIDEBAR_PARAMS)
    assert not is_valid_query_signature(query, SIDEBAR_SECRET)
    with pytest.raises(InvalidSignature, match="query parameter is missing"):
        verify_query_signature(query, SIDEBAR_SECRET)


def test_query_with_wrong_signature_says_mismatch() -> None:
    with pytest.raises(InvalidSignature, match="does not match"):
        verify_query_signature(_query(SIDEBAR_PARAMS, "forged"), SIDEBAR_SECRET)


def test_query_signature_blank_secret_is_a_configuration_error() -> None:
    with pytest.raises(ValueError, match="empty"):
        is_valid_query_signature(_query(SIDEBAR_PARAMS, "x"), "")


@given(query=st.one_of(st.none(), st.text(), st.binary(), st.integers()))
def test_is_valid_query_signature_never_raises(query: object) -> None:
    assert is_valid_query_signature(query, SIDEBAR_SECRET) in (True, False)


@pytest.mark.parametrize("repeated", ["conversation-id", "X-HelpScout-Signature", "extra"])
def test_a_repeated_parameter_name_is_refused_even_with_a_valid_signature(repeated: str) -> None:
    """PHP's `$_GET` keeps a repeated name's last value, Flask's `args.get` its first: a
    signature over one must never vouch for the other."""
    params = [("conversation-id", "111"), ("mailbox-id", "101"), ("extra", "x")]
    signature = _php_signature(params)
    prefix = urlencode([(repeated, "999999" if repeated != "X-HelpScout-Signature" else "z")])
    forged = f"{prefix}&{_query(params, signature)}"

    assert not is_valid_query_signature(forged, SIDEBAR_SECRET)
    with pytest.raises(InvalidSignature, match="is repeated"):
        signed_query_params(forged, SIDEBAR_SECRET)


def test_signed_query_params_are_exactly_what_was_signed() -> None:
    query = "view=sla&" + _query(SIDEBAR_PARAMS, _php_signature(SIDEBAR_PARAMS))

    assert signed_query_params(query, SIDEBAR_SECRET, own_params={"view"}) == dict(SIDEBAR_PARAMS)
