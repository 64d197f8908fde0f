"""What the benchmark feeds the checkers: labelled corpora, ~2 KB replies and adversarial text.

Three kinds of input:

- labelled cases, read from the team corpus (`tests/compliance/corpus/replies.jsonl`) and from
  the external corpus (`../shared/eval/external_corpus.jsonl`, read in place, never copied);
- realistic ~2 KB replies for the throughput figures, built by concatenating corpus replies
  (or, when the team corpus is missing, from a small built-in generator);
- adversarial inputs of a chosen size (long digit runs, thousands of dots, nested tags, ...),
  built on demand from a name so a subprocess can rebuild them without receiving them.
"""

from __future__ import annotations

import html as html_lib
import json
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_TEAM_CORPUS = REPO_ROOT / "tests" / "compliance" / "corpus" / "replies.jsonl"
DEFAULT_EXTERNAL_CORPUS = REPO_ROOT.parent / "shared" / "eval" / "external_corpus.jsonl"

BLOCKING_KINDS = ("phone", "email", "url", "attachment")
"""The kinds a label can name; `policy` findings only warn and are never labelled as blocking."""


class CorpusError(ValueError):
    """A corpus file exists but a line in it cannot be read as a labelled case."""


@dataclass(frozen=True, slots=True)
class Case:
    """One labelled text: what to pass to a checker and what it should say."""

    id: str
    group: str  # team corpus: category; external corpus: source project
    text: str
    html: bool
    attachments: tuple[str, ...]
    blocked: bool
    kinds: frozenset[str]
    offending: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True, slots=True)
class Reply:
    """One input for the throughput figures."""

    text: str
    html: bool
    dirty: bool  # built to contain at least one blocking item


def _strings(value: object) -> tuple[str, ...]:
    """Read a label list whose items are strings or small dicts naming a text or a rule."""
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    items: list[str] = []
    for item in value if isinstance(value, Iterable) else ():
        if isinstance(item, str):
            items.append(item)
        elif isinstance(item, dict):
            for key in ("text", "name", "filename", "rule", "kind"):
                if isinstance(item.get(key), str):
                    items.append(item[key])
                    break
    return tuple(items)


def _read_jsonl(path: Path) -> list[tuple[int, dict]]:
    """Parse every non-blank line; raise CorpusError naming the line that is not a JSON object."""
    rows: list[tuple[int, dict]] = []
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as err:
                raise CorpusError(f"{path}:{number}: not JSON ({err.msg})") from err
            if not isinstance(row, dict):
                raise CorpusError(f"{path}:{number}: expected a JSON object")
            rows.append((number, row))
    return rows


def _require(path: Path, number: int, row: dict, *keys: str) -> None:
    missing = [key for key in keys if key not in row]
    if missing:
        raise CorpusError(f"{path}:{number}: missing field(s) {', '.join(missing)}")


def load_team_corpus(path: Path) -> list[Case]:
    """The team's labelled replies (id, category, format, text, attachments, blocked, ...)."""
    cases: list[Case] = []
    for number, row in _read_jsonl(path):
        _require(path, number, row, "id", "text", "blocked")
        cases.append(
            Case(
                id=str(row["id"]),
                group=str(row.get("category") or "-"),
                text=str(row["text"]),
                html=row.get("format") == "html",
                attachments=_strings(row.get("attachments")),
                blocked=bool(row["blocked"]),
                kinds=frozenset(_strings(row.get("kinds"))),
                offending=_strings(row.get("offending")),
                warnings=_strings(row.get("warnings")),
                note=str(row.get("note") or ""),
            )
        )
    return cases


def load_external_corpus(path: Path) -> list[Case]:
    """The external corpus (fields: id, source, text, blocked, kinds, note); all plain text."""
    cases: list[Case] = []
    for number, row in _read_jsonl(path):
        _require(path, number, row, "id", "text", "blocked")
        source = str(row.get("source") or "")
        cases.append(
            Case(
                id=str(row["id"]),
                # "markdown-it/linkify-it:test/fixtures/links.txt" -> "linkify-it"
                group=str(row["id"]).rsplit("-", 1)[0] if "-" in str(row["id"]) else source,
                text=str(row["text"]),
                html=False,
                attachments=(),
                blocked=bool(row["blocked"]),
                kinds=frozenset(_strings(row.get("kinds"))),
                note=str(row.get("note") or ""),
            )
        )
    return cases


# --- ~2 KB replies ---------------------------------------------------------------------------

REPLY_CHARS = 2048
DIRTY_SHARE = 0.3  # share of replies that carry one non-compliant passage
HTML_SHARE = 0.3  # share of replies that are HTML bodies


def _as_html(plain: str) -> str:
    """A plain reply as a Help Scout HTML body: one paragraph per blank-line block."""
    blocks = [block for block in plain.split("\n\n") if block.strip()]
    return "".join(
        "<p>" + "<br>".join(html_lib.escape(line) for line in block.splitlines()) + "</p>\n"
        for block in blocks
    )


def _assemble(pieces: list[str], html: bool, target_chars: int) -> str:
    """Join pieces as one reply, cut back to about target_chars (plain text at a space)."""
    joined = "\n".join(pieces) if html else "\n\n".join(pieces)
    if html or len(joined) <= target_chars:
        return joined
    cut = joined.rfind(" ", 0, target_chars)
    return joined[: cut if cut > target_chars // 2 else target_chars]


def replies_from_corpus(
    cases: list[Case],
    count: int = 200,
    target_chars: int = REPLY_CHARS,
    seed: int = 2,
) -> list[Reply]:
    """Realistic ~2 KB replies made by concatenating corpus replies.

    About 30% of the replies are HTML and about 30% carry exactly one non-compliant passage (a
    corpus reply labelled blocked); the rest is compliant corpus text, look-alikes included.
    Plain passages in an HTML reply are converted to paragraphs; HTML passages never go into a
    plain reply. A non-compliant passage is placed where it falls, so it is not always first.
    """
    rng = random.Random(seed)
    clean_plain = [c.text for c in cases if not c.blocked and not c.html]
    clean_html = [c.text for c in cases if not c.blocked and c.html]
    dirty_plain = [c.text for c in cases if c.blocked and not c.html and not c.attachments]
    dirty_html = [c.text for c in cases if c.blocked and c.html and not c.attachments]
    if not clean_plain or not dirty_plain:
        return generated_replies(count, target_chars, seed)
    replies: list[Reply] = []
    for _ in range(count):
        html = rng.random() < HTML_SHARE
        dirty = rng.random() < DIRTY_SHARE
        pieces: list[str] = []
        size = 0
        while size < target_chars:
            if html and clean_html and rng.random() < 0.5:
                piece = rng.choice(clean_html)
            else:
                piece = rng.choice(clean_plain)
                piece = _as_html(piece) if html else piece
            pieces.append(piece)
            size += len(piece) + 2
        if dirty:
            if html and dirty_html and rng.random() < 0.5:
                bad = rng.choice(dirty_html)
            else:
                bad = rng.choice(dirty_plain)
                bad = _as_html(bad) if html else bad
            pieces[rng.randrange(len(pieces))] = bad
        replies.append(Reply(_assemble(pieces, html, target_chars), html, dirty))
    return replies


_GREETINGS = ("Hi {name},", "Hello {name},", "Dear {name},", "Hi there,", "Good morning {name},")
_NAMES = ("Sarah", "Mr. Okafor", "Jean-Luc", "Priya", "Tom", "Ms. Alvarez", "Kenji", "Fatima")
_SENTENCES = (
    "Thank you for reaching out about order {order}.",
    "I'm sorry to hear that the {item} arrived damaged; we have issued a full refund of ${price}.",
    "A replacement {item} shipped today with UPS, tracking number 1Z{ups}.",
    "Your package is with USPS, tracking {usps}, and should arrive in 3-5 business days.",
    "The {item} (ASIN {asin}, model {model}) runs on 100-240V, so it works in the U.S. and EU.",
    "Please check Fig. 2 of the manual.pdf that came in the box, e.g. the reset steps on p. 14.",
    "We updated the firmware to version 2.4.1 on {date}; the battery lasts 8-10 h per charge.",
    "The refund of ${price} was processed on {date} at 10:30 AM and takes 2-3 days to show.",
    "Measurements: 12.5 x 8.3 x 2.1 in, 1.2 lb; the cable is 6 ft (1.8 m) long.",
    "If you'd like to return it, you can start the return from Your Orders on Amazon.",
    "Our warehouse in St. Louis confirmed the shipment left on {date}.",
    "The part number is {model}-{part} and it fits every unit made after 2019.",
    "I have added a note to your order; no further action is needed on your side.",
    "The gift card code you asked about is applied at checkout, not by us.",
    "Amazon's case ID {case} is attached to your order, so the team can follow up.",
    "We're happy to send a replacement at no cost; it should reach you within 2-4 days.",
    "Could you tell us which colour you'd prefer: black, white or blue?",
    "Please let me know if there's anything else I can help with.",
)
_CONTACTS = (
    "You can also call us at (555) 123-4567 ext. 12.",
    "Text me on +44 20 7946 0958 if that's easier.",
    "Write to support@acme-gadgets.com and we'll sort it out.",
    "Email me: jane dot doe at gmail dot com",
    "Full instructions are on www.acme-gadgets.com/help.",
    "See https://bit.ly/3xYz12 for the video guide.",
    "Our number is five five five, one two three, four five six seven.",
    "Visit acme-gadgets (dot) com for the manual.",
)
_SIGNOFFS = ("Best regards,\nAnna\nAcme Gadgets Support", "Kind regards,\nThe Acme team")


def _fill(template: str, rng: random.Random) -> str:
    digits = "0123456789"
    order = [rng.randrange(100, 999), rng.randrange(10**6, 10**7), rng.randrange(10**6, 10**7)]
    return template.format(
        name=rng.choice(_NAMES),
        order="-".join(map(str, order)),
        item=rng.choice(("blender", "phone case", "desk lamp", "water filter", "headphones")),
        price=f"{rng.randrange(5, 300)}.{rng.randrange(100):02d}",
        ups="".join(rng.choice(digits + "ABCDEFXY") for _ in range(16)),
        usps="".join(rng.choice(digits) for _ in range(22)),
        asin="B0" + "".join(rng.choice(digits + "ABCDEFGHJK") for _ in range(8)),
        model=f"AG-{rng.randrange(100, 9999)}",
        part=rng.randrange(10, 99),
        date=f"{rng.randrange(1, 13)}/{rng.randrange(1, 29)}/2025",
        case=str(rng.randrange(10**9, 10**10)),
    )


def generated_replies(
    count: int = 200, target_chars: int = REPLY_CHARS, seed: int = 2
) -> list[Reply]:
    """Built-in realistic replies, used when the team corpus is missing.

    Each reply is a greeting, paragraphs of customer-service sentences full of look-alikes
    (order IDs, tracking numbers, prices, dates, versions, measurements) and a sign-off; about
    30% carry one contact item (phone, email, link, plain or obfuscated), about 30% are HTML.
    """
    rng = random.Random(seed)
    replies: list[Reply] = []
    for _ in range(count):
        html = rng.random() < HTML_SHARE
        dirty = rng.random() < DIRTY_SHARE
        paragraphs = [_fill(rng.choice(_GREETINGS), rng)]
        size = len(paragraphs[0])
        while size < target_chars - 60:
            paragraph = " ".join(_fill(rng.choice(_SENTENCES), rng) for _ in range(3))
            paragraphs.append(paragraph)
            size += len(paragraph) + 2
        if dirty:
            where = rng.randrange(1, len(paragraphs))
            paragraphs[where] += " " + rng.choice(_CONTACTS)
        paragraphs.append(rng.choice(_SIGNOFFS))
        plain = _assemble(paragraphs[:-1], False, target_chars - 50) + "\n\n" + paragraphs[-1]
        replies.append(Reply(_as_html(plain) if html else plain, html, dirty))
    return replies


# --- adversarial inputs ----------------------------------------------------------------------

SIZES: dict[str, int] = {"10 KB": 10 * 1024, "100 KB": 100 * 1024, "1 MB": 1024 * 1024}


@dataclass(frozen=True, slots=True)
class Adversarial:
    """A family of pathological inputs, built to any size (in characters)."""

    name: str
    family: str
    html: bool
    build: Callable[[int], str]


def _repeat(unit: str) -> Callable[[int], str]:
    def build(size: int) -> str:
        return (unit * (size // len(unit) + 1))[:size]

    return build


def _nested(open_tag: str, close_tag: str) -> Callable[[int], str]:
    def build(size: int) -> str:
        depth = max(1, (size - 1) // (len(open_tag) + len(close_tag)))
        return open_tag * depth + "x" + close_tag * depth

    return build


_MIX_UNITS = (
    "1",
    "1 ",
    "1-",
    "+1 (",
    "a.",
    ".",
    "a@",
    "a@b.",
    "one two ",
    "www.",
    "http://",
    "a",
    "555-123-4567 ",
    "five 5 ",
    "x dot ",
    " at ",
    "2O6-",
    "<b>",
    "</b>",
    "&#46;",
)


def _mixed(size: int) -> str:
    """Short runs of every other family's unit in a fixed pseudo-random order.

    The seed is fixed, so a smaller size is a prefix of a larger one and the growth factor
    compares like with like.
    """
    rng = random.Random(7)
    parts: list[str] = []
    total = 0
    while total < size:
        run = rng.choice(_MIX_UNITS) * rng.randrange(1, 40)
        parts.append(run)
        total += len(run)
    return "".join(parts)[:size]


ADVERSARIAL: tuple[Adversarial, ...] = (
    Adversarial("'1'*n", "digits", False, _repeat("1")),
    Adversarial("'1 '*n", "digits", False, _repeat("1 ")),
    Adversarial("'1-'*n", "digits", False, _repeat("1-")),
    Adversarial("'1.'*n", "digits", False, _repeat("1.")),
    Adversarial("'+1 ('*n", "digits", False, _repeat("+1 (")),
    Adversarial("'555-123-4567 '*n", "digits", False, _repeat("555-123-4567 ")),
    Adversarial("'2O6-'*n (letter O)", "digits", False, _repeat("2O6-")),
    Adversarial("fullwidth '１'*n", "digits", False, _repeat("１")),
    Adversarial("'1'+zero-width *n", "digits", False, _repeat("1\u200b")),
    Adversarial("'.'*n", "dots", False, _repeat(".")),
    Adversarial("'a.'*n", "dots", False, _repeat("a.")),
    Adversarial("'a.b. '*n", "dots", False, _repeat("a.b. ")),
    Adversarial("'ab.de '*n", "dots", False, _repeat("ab.de ")),
    Adversarial("'<b>'*n x '</b>'*n", "tags", True, _nested("<b>", "</b>")),
    Adversarial("'<'*n", "tags", True, _repeat("<")),
    Adversarial("'<a href=\"'*n", "tags", True, _repeat('<a href="')),
    Adversarial("'5<b></b>'*n", "tags", True, _repeat("5<b></b>")),
    Adversarial("'a&#46;'*n", "tags", True, _repeat("a&#46;")),
    Adversarial("'@'*n", "at", False, _repeat("@")),
    Adversarial("'a@'*n", "at", False, _repeat("a@")),
    Adversarial("'a@b.'*n", "at", False, _repeat("a@b.")),
    Adversarial("'a at b dot '*n", "at", False, _repeat("a at b dot ")),
    Adversarial("'one two '*n", "spelled", False, _repeat("one two ")),
    Adversarial("'five 5 five-'*n", "spelled", False, _repeat("five 5 five-")),
    Adversarial("'www.'*n", "urls", False, _repeat("www.")),
    Adversarial("'http://'*n", "urls", False, _repeat("http://")),
    Adversarial("'x dot '*n", "urls", False, _repeat("x dot ")),
    Adversarial("'a'*n (one word)", "words", False, _repeat("a")),
    Adversarial("'a1'*n (one word)", "words", False, _repeat("a1")),
    Adversarial("'ä'*n (one word)", "words", False, _repeat("ä")),
    Adversarial("mixed runs", "mixed", False, _mixed),
    Adversarial("mixed runs (HTML)", "mixed", True, _mixed),
)

ADVERSARIAL_BY_NAME: dict[str, Adversarial] = {a.name: a for a in ADVERSARIAL}
