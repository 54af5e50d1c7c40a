"""The printed copy of an invitation's letter (DM-2): the letter's stored words
(:mod:`ltc.care.recall.letters`) laid out on A4, the address where a window envelope
shows it, as HTML and as a PDF (WeasyPrint). The outbox writes each letter it sends with
:func:`letter_pdf`; a person's recall page links to it."""

from __future__ import annotations

from dataclasses import dataclass

import weasyprint  # type: ignore[import-untyped]

from ltc.care.recall.outbox import Message
from ltc.web.pages import TEMPLATES

TITLE = "Invitation to your long term condition review"


@dataclass(frozen=True)
class Block:
    """A paragraph of the letter, or the list of items due."""

    lines: tuple[str, ...]
    items: bool


def blocks(text: str) -> list[Block]:
    """The letter's paragraphs (a blank line between them); a paragraph whose lines all
    start with "- " is the list of items due."""
    out = []
    for part in text.split("\n\n"):
        lines = tuple(line for line in part.splitlines() if line.strip())
        if not lines:
            continue
        items = all(line.startswith("- ") for line in lines)
        out.append(Block(tuple(line[2:] if items else line for line in lines), items))
    return out


def letter_html(to: str, text: str) -> str:
    """The letter as a complete HTML page, ready to print."""
    return TEMPLATES.get_template("recall/letter.html.j2").render(
        title=TITLE, address=to.splitlines(), blocks=blocks(text))


def pdf(to: str, text: str) -> bytes:
    document = weasyprint.HTML(string=letter_html(to, text)).render()
    document.metadata.title = TITLE
    out: bytes = document.write_pdf()
    return out


def letter_pdf(message: Message) -> bytes:
    """The PDF of a letter the outbox sends (:class:`ltc.care.recall.outbox.OutboxFile`)."""
    return pdf(message.to, message.text)
