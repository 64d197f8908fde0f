"""Amazon notification emails: what one of them says, read into a `Notification`.

Amazon has no API for buyer messages; sellers get each one as an email, and a second copy of
those emails is what the reconciliation checks Help Scout against. The formats below are known
only from third-party code and fixtures (reference/amazon.md §3, "UNCONFIRMED" by Amazon), so the
parser trusts the `X-Space-Notification-Type` header first and falls back to subject and body
fingerprints, and finds the buyer's text by the shape of its separator lines rather than by their
wording alone.

Reads:    buyer messages (old 2016 "Begin message" and current "Message:" formats, in English,
          German, French, Spanish, Italian, Portuguese and Japanese), return requests, refunds,
          A-to-z claims, cancellation requests, copies of the seller's own replies, delivery
          failures and opt-out bounces; text, HTML-only and multipart bodies.
Raises:   `UnparseableNotification` for bytes that are not an email (no From and no Subject).
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email import policy
from email.header import decode_header, make_header
from email.message import Message
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime
from enum import StrEnum
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

from helpscout_app.amazon.errors import UnparseableNotification
from helpscout_app.amazon.marketplaces import Marketplace, marketplace_by_id, marketplace_by_tld
from helpscout_app.amazon.relay_address import RelayAddress, find_relay_addresses


class NotificationKind(StrEnum):
    """What a notification is about; the values are what the store keeps."""

    BUYER_MESSAGE = "buyer_message"
    RETURN_REQUEST = "return_request"
    REFUND_ISSUED = "refund_issued"
    A_TO_Z_CLAIM = "a_to_z_claim"
    CANCELLATION_REQUEST = "cancellation_request"
    SELLER_REPLY_COPY = "seller_reply_copy"
    DELIVERY_FAILURE = "delivery_failure"  # including "buyer has opted out" bounces
    OTHER = "other"


@dataclass(frozen=True)
class Notification:
    """One notification email, read. Absent facts are None or empty, never guessed."""

    kind: NotificationKind
    message_id: str
    subject: str | None
    received_at: datetime | None  # aware, UTC
    order_ids: tuple[str, ...]  # subject's first, then the body's, each once
    relay_address: str | None  # exactly as Amazon wrote it: reply here, suffix included
    relay_base_address: str | None  # without the +suffix: one buyer across cases
    buyer_name: str | None
    marketplace: Marketplace | None
    asins: tuple[str, ...]
    comm_mgr_token: str | None
    no_response_needed_url: str | None
    case_id: str | None
    buyer_text: str | None
    notification_type: str | None  # the X-Space-Notification-Type header as sent


# X-Space-Notification-Type values seen in public code (reference/amazon.md §3.3). An unknown
# value falls through to the fingerprints below instead of raising.
NOTIFICATION_TYPES: dict[str, NotificationKind] = {
    "BBC_MESSAGE_SENT_TO_MERCHANT": NotificationKind.BUYER_MESSAGE,
    "BBC_MESSAGE_CONFIRMATION_TO_MERCHANT": NotificationKind.SELLER_REPLY_COPY,
    "BRC_SELLER_NOTIFICATION": NotificationKind.CANCELLATION_REQUEST,
    "RETURN_REQUEST": NotificationKind.RETURN_REQUEST,
    "REFUND_ISSUED": NotificationKind.REFUND_ISSUED,
    "A_Z_CLAIM_RESPONDENT_NOTIFY": NotificationKind.A_TO_Z_CLAIM,
    "A_Z_CLAIM_RESPONDENT_CLOSE": NotificationKind.A_TO_Z_CLAIM,
}

# Subject fingerprints (§3.4), tried in order; the first that matches decides. Bounces come
# first: their subject often quotes the subject of the message that bounced.
SUBJECT_FINGERPRINTS: tuple[tuple[NotificationKind, re.Pattern[str]], ...] = (
    (
        NotificationKind.DELIVERY_FAILURE,
        re.compile(r"\b(?:delivery (?:failure|failed)|undeliverable|opted out)\b", re.I),
    ),
    (NotificationKind.SELLER_REPLY_COPY, re.compile(r"^(?:your email to|seu e-mail para)\b", re.I)),
    (NotificationKind.CANCELLATION_REQUEST, re.compile(r"\border cancellation request\b", re.I)),
    (
        NotificationKind.RETURN_REQUEST,
        re.compile(r"\breturn authori[sz]ation (?:request|notification)\b", re.I),
    ),
    (NotificationKind.A_TO_Z_CLAIM, re.compile(r"\ba-to-z\b", re.I)),
    (NotificationKind.REFUND_ISSUED, re.compile(r"^refund (?:initiated|issued)\b", re.I)),
    (
        NotificationKind.BUYER_MESSAGE,
        re.compile(
            r"\b(?:inquiry|enquiry|message) from amazon customer\b"
            r"|\bde la part du client amazon\b"
            r"|\bfrage von amazon-kunde\b"
            r"|\bpaket nicht angekommen\b"
            r"|お問い合わせ"
            # Spanish and Italian: ours, not documented (§3.4 lists no wording for either);
            # "from the Amazon customer" as in our fixtures, without the noun, as for French.
            r"|\bdel cliente de amazon\b"
            r"|\bdal cliente amazon\b",
            re.I,
        ),
    ),
)

# Body fingerprints, for when neither the header nor the subject said. The bounce phrases are
# from public detector code, not Amazon (§3.5, UNCONFIRMED).
BODY_FINGERPRINTS: tuple[tuple[NotificationKind, re.Pattern[str]], ...] = (
    (
        NotificationKind.DELIVERY_FAILURE,
        re.compile(
            r"we were unable to deliver the message you sent"
            r"|(?:has|have) (?:chosen|elected) to opt out",
            re.I,
        ),
    ),
    (NotificationKind.A_TO_Z_CLAIM, re.compile(r"\ba-to-z guarantee claim\b", re.I)),
    (
        NotificationKind.BUYER_MESSAGE,
        re.compile(
            r"you have received a message\.|vous avez reçu un message\.|você recebeu uma mensagem\."
            # Spanish and Italian greetings: ours, by analogy with the documented ones (§3.5).
            r"|has recibido un mensaje\.|hai ricevuto un messaggio\."
            # The lookbehind keeps a long run of dashes linear: one try per run, not per dash.
            r"|(?<!-)-{3,}[ \t]*begin message\b",
            re.I,
        ),
    ),
)

# 3-7-7 digits; not part of a longer run of digits, letters or dashes (§3.6).
ORDER_ID = re.compile(r"(?<![0-9A-Za-z-])[0-9]{3}-[0-9]{7}-[0-9]{7}(?![0-9A-Za-z-])")
ASIN_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(r"\[ASIN:\s*([0-9A-Z]{10})\s*\]"),
    re.compile(r"/(?:dp|gp/product)/([0-9A-Z]{10})(?![0-9A-Za-z])"),
)
COMM_MGR_TOKEN = re.compile(r"\[commMgrTok:\s*([^\]\s]+)\s*\]")
URL = re.compile(r"https?://[^\s<>\"'\]]+", re.I)
# The old "click here" link and the current "Resolve case" link (§3.5).
NO_RESPONSE_NEEDED_PATH = re.compile(
    r"/no-response-needed\.html|/messaging/no-response-needed", re.I
)
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I | re.ASCII)

# "<Name> - Amazon Marketplace" (§3.3); other display names are Amazon's own senders.
MARKETPLACE_DISPLAY_NAME = re.compile(r"^\s*(?P<name>.+?)\s+-\s+Amazon Marketplace\s*$", re.I)
# Where the buyer's name sits in a subject (§3.4); the name stops before "(Order: …)".
SUBJECT_BUYER_NAMES: tuple[re.Pattern[str], ...] = (
    re.compile(r"\bfrom Amazon customer\s+(?P<name>[^()]+?)\s*(?:\(|$)", re.I),
    re.compile(r"\bde la part du client Amazon\s+(?P<name>[^()]+?)\s*(?:\(|$)", re.I),
    re.compile(r"\bvon Amazon-Kunde\s+(?P<name>[^()]+?)\s*(?:\(|$)", re.I),
    # Spanish and Italian: ours, as in SUBJECT_FINGERPRINTS.
    re.compile(r"\bdel cliente de Amazon\s+(?P<name>[^()]+?)\s*(?:\(|$)", re.I),
    re.compile(r"\bdal cliente Amazon\s+(?P<name>[^()]+?)\s*(?:\(|$)", re.I),
    re.compile(r"^(?:your email to|seu e-mail para)\s+\"?(?P<name>[^\"]+?)\"?\s*$", re.I),
)

# A separator line around the buyer's text is dashes, a label, dashes (§3.5). Spacing and the
# label's language vary, so the shape finds the lines and the labels below only pick the opening
# one when there are several. Lines longer than this are text, not separators.
SEPARATOR_MAX_LENGTH = 120
OPENING_LABELS: frozenset[str] = frozenset(
    label.casefold()
    for label in (
        # Documented (§3.5): old English and Canadian, current English and Portuguese, and the
        # Portuguese seller-reply copy.
        "Begin message",
        "Begin message / Début du message",
        "Message:",
        "Mensagem:",
        "Iniciar mensagem",
        # Our assumption, by analogy with "Message:"/"Mensagem:": not seen in any source.
        "Nachricht:",
        "Mensaje:",
        "Messaggio:",
        "メッセージ:",
    )
)


DATE_RECEIVED_TOLERANCE = timedelta(hours=1)
"""How far after our server's receipt (the newest Received) the Date header may lie and still be
believed: a message is not sent after it arrived, so more than this is a wrong clock or zone.
(A Date hours *before* the receipt is a delivery held up, and Date is right.) Kept well under
the 2 h that matching allows between a notification's time and its thread's
(`reconciliation.matching.EARLIEST`)."""


@dataclass(frozen=True)
class _Stamp:
    """A header's date-time: the moment (aware, UTC) and whether the header gave its offset."""

    moment: datetime
    has_offset: bool


@dataclass(frozen=True)
class _Body:
    """The readable text of a message, and its HTML when it had one."""

    text: str
    html: str | None


def parse_notification(raw: bytes) -> Notification:
    """Read one notification email (the raw RFC 5322 bytes, as fetched).

    Raises `UnparseableNotification` when the bytes are not an email: empty, or with neither a
    From nor a Subject header. Everything else parses, with the facts it holds; a field the
    message garbles is left empty rather than failing the whole message.
    """
    if not isinstance(raw, bytes | bytearray):
        raise TypeError(f"parse_notification takes bytes, got {type(raw).__name__}")
    fallback_id = _derived_message_id(raw)
    if not raw.strip():
        raise UnparseableNotification("empty message", message_id=fallback_id)
    try:
        # compat32, not policy.default: the default policy's header classes parse each header
        # again on every read, ten times the cost of the whole parse; only the headers read
        # here are decoded (`_header`).
        message = BytesParser(policy=policy.compat32).parsebytes(bytes(raw))
    except Exception as err:  # the stdlib parser is meant never to raise; be sure of it
        raise UnparseableNotification(
            f"not an email: {type(err).__name__}", message_id=fallback_id
        ) from err
    message_id = _message_id(message) or fallback_id
    from_header = _header(message, "From")
    subject = _subject(message)
    if from_header is None and subject is None:
        raise UnparseableNotification(
            "no From or Subject header: not an email, or cut off in its headers",
            message_id=message_id,
        )

    body = _body(message)
    relay = _relay_address(message)
    notification_type = _header(message, "X-Space-Notification-Type")
    buyer_text = _buyer_text(body)
    urls = _urls(body)
    return Notification(
        kind=_kind(notification_type, subject, body.text),
        message_id=message_id,
        subject=subject,
        received_at=_received_at(message),
        order_ids=_unique(ORDER_ID.findall(subject or ""), ORDER_ID.findall(body.text)),
        relay_address=relay.address if relay else None,
        relay_base_address=relay.buyer_address if relay else None,
        buyer_name=_buyer_name(from_header, subject),
        marketplace=_marketplace(message, relay),
        asins=_asins(body.text, urls),
        comm_mgr_token=_first_group(COMM_MGR_TOKEN, body.text),
        no_response_needed_url=next(
            (url for url in urls if NO_RESPONSE_NEEDED_PATH.search(url)), None
        ),
        case_id=_case_id(relay, urls),
        buyer_text=buyer_text,
        notification_type=notification_type.strip() if notification_type else None,
    )


def _derived_message_id(raw: bytes | bytearray) -> str:
    """A stable stand-in Message-ID for a message without one: the digest of its bytes."""
    return f"<sha256-{hashlib.sha256(raw).hexdigest()}@amz-guard.invalid>"


def _header(message: Message, name: str) -> str | None:
    """The header's decoded value, or None when absent or unreadable.

    The stdlib's header classes can raise on values malformed enough; one bad header must not
    cost the message, so any such failure counts as "absent".
    """
    value = None
    try:
        value = message.get(name)
        text = None if value is None else str(value)
        if text is not None and "=?" in text:  # RFC 2047 encoded words to decode
            text = str(make_header(decode_header(text)))
    except Exception:
        try:
            text = None if value is None else str(value)  # undecodable words: as written
        except Exception:
            return None
    if text is None:
        return None
    text = " ".join(text.split())
    return text or None


def _message_id(message: Message) -> str | None:
    value = _header(message, "Message-ID")
    return value[:998] if value else None


def _subject(message: Message) -> str | None:
    """The subject, RFC 2047 words decoded, folding undone."""
    return _header(message, "Subject")


def _received_at(message: Message) -> datetime | None:
    """When the message was sent (Date), checked against when our server got it (the newest
    Received); aware, UTC.

    Date is believed when it has a real offset and is not later than the newest Received time
    by more than `DATE_RECEIVED_TOLERANCE`: a copy delayed in transit keeps Amazon's own time,
    which is when the buyer wrote. Otherwise the Received time is taken: a Date without a
    usable offset (a zone name Python does not know, such as `JST` or `CEST`; `-0000`; no zone)
    reads as UTC and can be hours off, and a Date hours after its own receipt means a wrong
    clock or zone. Either would put the notification outside matching's window and raise a
    false `[missing]`.
    A Received time without an offset of its own overrides only a Date without one. With no
    Received time, Date as it reads, UTC when it has no offset (RFC 5322 §3.3, §4.3).
    """
    date = _parse_date(_header(message, "Date"))
    received = _newest_received(message)
    if received is None:
        return date.moment if date else None
    if date is None or not date.has_offset:
        return received.moment
    if received.has_offset and date.moment - received.moment > DATE_RECEIVED_TOLERANCE:
        return received.moment  # sent after it arrived: the sender's clock or zone is wrong
    return date.moment


def _newest_received(message: Message) -> _Stamp | None:
    """The time of the newest Received header that has a readable one (after its last `;`)."""
    try:
        received_headers = message.get_all("Received") or []
    except Exception:
        return None
    for received in received_headers:  # newest first: each hop prepends its own
        _, _, stamp = str(received).rpartition(";")
        date = _parse_date(stamp)
        if date is not None:
            return date
    return None


def _parse_date(value: str | None) -> _Stamp | None:
    """An RFC 5322 date-time, as an aware UTC moment and whether it said its offset."""
    if not value or not value.strip():
        return None
    try:
        date = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    # The stdlib returns a naive datetime for "-0000", for no zone, and for any zone name
    # besides the few it knows (UT, UTC, GMT, Z and the North American ones): RFC 5322 §4.3
    # says to treat an unknown name as "-0000", UTC with no claim about the sender's zone.
    has_offset = date.tzinfo is not None
    if not has_offset:
        date = date.replace(tzinfo=UTC)
    try:
        return _Stamp(date.astimezone(UTC), has_offset)
    except (OverflowError, ValueError):
        return None


def _relay_address(message: Message) -> RelayAddress | None:
    """The buyer's relay address, from From, then Reply-To, then To (§3.2, §3.3).

    The `+suffix` form can show up only among the recipients, so a suffixed address of the same
    buyer found later is preferred to a bare one found first: replies must keep the suffix.
    """
    found: RelayAddress | None = None
    for header in ("From", "Reply-To", "To"):
        try:
            values = [str(value) for value in message.get_all(header) or []]
        except Exception:
            continue
        for relay in find_relay_addresses(" , ".join(values)):
            if found is None:
                found = relay
            elif relay.suffix and not found.suffix and relay.buyer_address == found.buyer_address:
                return relay
    return found


def _buyer_name(from_header: str | None, subject: str | None) -> str | None:
    """The buyer's name: From's "<Name> - Amazon Marketplace", else the subject's (§3.3, §3.4)."""
    if from_header and "amazon" in from_header.lower():
        for display_name, _ in getaddresses([from_header]):
            match = MARKETPLACE_DISPLAY_NAME.match(display_name)
            if match:
                return match["name"]
    if subject:
        for pattern in SUBJECT_BUYER_NAMES:
            match = pattern.search(subject)
            if match and match["name"].strip():
                return match["name"].strip()
    return None


def _marketplace(message: Message, relay: RelayAddress | None) -> Marketplace | None:
    """From X-Marketplace-ID, else from the relay domain. Never from the order ID (§3.4)."""
    marketplace_id = _header(message, "X-Marketplace-ID")
    if marketplace_id:
        marketplace = marketplace_by_id(marketplace_id)
        if marketplace is not None:
            return marketplace
    return marketplace_by_tld(relay.tld) if relay else None


def _case_id(relay: RelayAddress | None, urls: Iterable[str]) -> str | None:
    """The Seller Central case ID: a UUID relay suffix, else `cc=`/`ss=` of an inbox link (§3.6)."""
    if relay and relay.suffix and UUID.fullmatch(relay.suffix):
        return relay.suffix.lower()
    for url in urls:
        try:
            query = parse_qs(urlsplit(url).query)
        except ValueError:
            continue
        for parameter in ("cc", "ss"):
            for value in query.get(parameter, ()):
                if UUID.fullmatch(value):
                    return value.lower()
    return None


def _kind(notification_type: str | None, subject: str | None, text: str) -> NotificationKind:
    """The header decides when it names a known type; then the subject; then the body."""
    if notification_type:
        kind = NOTIFICATION_TYPES.get(notification_type.strip().upper())
        if kind is not None:
            return kind
    for kind, pattern in SUBJECT_FINGERPRINTS:
        if subject and pattern.search(subject):
            return kind
    for kind, pattern in BODY_FINGERPRINTS:
        if pattern.search(text):
            return kind
    if _has_message_frame(text):
        return NotificationKind.BUYER_MESSAGE
    return NotificationKind.OTHER


def _has_message_frame(text: str) -> bool:
    """Whether the text frames a message the current template's way, in any language (§3.5).

    The frame is a `----- <label>: -----` line (`Message:`, `Mensagem:`, and the colon-ended
    labels of our non-English fixtures) with a labelled separator line after it, the end marker
    (`End message`, `Encerrar mensagem`, …). A bare rule or an opening without an end does not
    count, nor the seller-reply copy's `Iniciar mensagem` (no colon); the old `Begin message`
    frame has a fingerprint of its own in BODY_FINGERPRINTS.
    """
    opened = False
    for line in text.split("\n"):
        label = _separator_label(line)
        if not label:
            continue
        if label.endswith((":", "\uff1a")):  # ASCII or fullwidth colon
            opened = True
        elif opened:
            return True
    return False


def _body(message: Message) -> _Body:
    """The plain-text body, or the text of the HTML body when there is no plain one."""
    plain: list[str] = []
    htmls: list[str] = []
    for part in _leaf_parts(message):
        try:
            content_type = part.get_content_type()
            disposition = part.get_content_disposition()
        except Exception:
            continue
        if disposition == "attachment" or content_type not in ("text/plain", "text/html"):
            continue
        text = _part_text(part)
        (plain if content_type == "text/plain" else htmls).append(text)
    html_body = "\n".join(htmls) if htmls else None
    if plain:
        return _Body(text="\n".join(plain), html=html_body)
    return _Body(text=html_to_text(html_body) if html_body else "", html=html_body)


def _leaf_parts(message: Message) -> Iterator[Message]:
    try:
        yield from (part for part in message.walk() if not part.is_multipart())
    except Exception:
        return


def _part_text(part: Message) -> str:
    """A text part decoded; an unknown or lying charset falls back to replacement characters."""
    try:
        payload = part.get_payload(decode=True)
    except Exception:
        payload = None
    if not isinstance(payload, bytes):
        raw_payload = part.get_payload()
        return raw_payload if isinstance(raw_payload, str) else ""
    try:
        charset = part.get_content_charset() or "utf-8"
        return payload.decode(charset, errors="replace")
    except (LookupError, ValueError):
        return payload.decode("utf-8", errors="replace")


def _urls(body: _Body) -> list[str]:
    """Links in the text, then the HTML's hrefs, entity-decoded, in order, each once."""
    found = URL.findall(body.text)
    if body.html:
        found += URL.findall(html.unescape(body.html))
    return list(_unique(found))


def _buyer_text(body: _Body) -> str | None:
    """The buyer's own words: between the separator lines, or the HTML's `<pre>` block (§3.5)."""
    text = _between_separators(body.text)
    if text is None and body.html:
        text = _pre_block_text(body.html) or _between_separators(html_to_text(body.html))
    return text


def _between_separators(text: str) -> str | None:
    lines = text.replace("\r\n", "\n").split("\n")
    separators = [
        (index, label)
        for index, line in enumerate(lines)
        if (label := _separator_label(line)) is not None
    ]
    if len(separators) < 2:
        return None
    opening = next(
        (
            position
            for position, (_, label) in enumerate(separators[:-1])
            if label.casefold() in OPENING_LABELS
        ),
        0,
    )
    start, end = separators[opening][0] + 1, separators[opening + 1][0]
    inner = "\n".join(lines[start:end]).strip()
    return inner or None


def _separator_label(line: str) -> str | None:
    """The label of a `----- Label -----` line, "" for a bare rule, None for any other line.

    Plain string work, not a regex: a line of a million dashes must stay linear.
    """
    stripped = line.strip()
    if len(stripped) > SEPARATOR_MAX_LENGTH or not (
        stripped.startswith("---") and stripped.endswith("---") and len(stripped) >= 6
    ):
        return None
    return stripped.strip("-").strip()


def _pre_block_text(html_body: str) -> str | None:
    """The text of the first non-empty `<pre>` block: the buyer's text in every locale (§3.5).

    Found with `str.find`, not a regex: many unclosed `<pre` tags must stay linear.
    """
    lowered = html_body.lower()
    position = 0
    while (start := lowered.find("<pre", position)) != -1:
        if lowered[start + 4 : start + 5] not in (">", " ", "\t", "\r", "\n", "/"):
            position = start + 4  # <preface>, <pre<pre…: not a pre tag
            continue
        tag_end = lowered.find(">", start)
        if tag_end == -1:
            return None
        close = lowered.find("</pre", tag_end)
        inner = html_body[tag_end + 1 : close if close != -1 else len(html_body)]
        text = html_to_text(inner).strip()
        if text:
            return text
        if close == -1:
            return None
        position = close + 5
    return None


class _TextExtractor(HTMLParser):
    """Collects an HTML body's text: line breaks for block elements, scripts and styles dropped."""

    BREAKS = frozenset({"br", "p", "div", "tr", "li", "pre", "table", "h1", "h2", "h3", "hr"})
    SKIPPED = frozenset({"script", "style", "head", "title"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self._skip_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIPPED:
            self._skip_depth += 1
        elif tag in self.BREAKS:
            self.chunks.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIPPED:
            self._skip_depth = max(0, self._skip_depth - 1)
        elif tag in self.BREAKS:
            self.chunks.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip_depth:
            self.chunks.append(data)


def html_to_text(html_body: str) -> str:
    """The readable text of an HTML fragment or document, one line per block; never raises."""
    extractor = _TextExtractor()
    try:
        extractor.feed(html_body)
        extractor.close()
    except Exception:  # HTMLParser is lenient, but an assertion on odd markup has been seen
        pass
    text = "".join(extractor.chunks).replace("\xa0", " ")
    lines = [line.rstrip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _asins(text: str, urls: Iterable[str]) -> tuple[str, ...]:
    """`[ASIN: …]` in the text, then `/dp/…` and `/gp/product/…` in the text and the links."""
    searched = [text, *urls]
    return _unique(*(pattern.findall(part) for pattern in ASIN_PATTERNS for part in searched))


def _first_group(pattern: re.Pattern[str], text: str) -> str | None:
    match = pattern.search(text)
    return match.group(1) if match else None


def _unique(*sequences: Iterable[str]) -> tuple[str, ...]:
    """The items of the sequences in order, each once."""
    return tuple(dict.fromkeys(item for sequence in sequences for item in sequence))
