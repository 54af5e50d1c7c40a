"""The words of an invitation to a review (DM-2): the letter, naming every item the
person is due and since when, and the text message, which names no condition or item (a
text can be read by anyone holding the telephone, and names a condition to them).

The letter is plain text: paragraphs separated by a blank line, each item due on a line
of its own starting with "- ". It is what the outbox records and what the printed copy
(``ltc.web.recall.letters``, a PDF) lays out.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from ltc.care.people.models import Person

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")
#: a UK mobile number (07..., or +44 7...), spaces and dashes aside
MOBILE = re.compile(r"^(?:\+?44|0)7\d{9}$")


def long_date(day: date) -> str:
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def nhs_number_spaced(nhs_number: str) -> str:
    return f"{nhs_number[:3]} {nhs_number[3:6]} {nhs_number[6:]}" if len(nhs_number) == 10 \
        else nhs_number


def mobile(telephone: str | None) -> str | None:
    """The number as a text message is sent to it, when it is a UK mobile; else None."""
    if not telephone:
        return None
    digits = re.sub(r"[\s\-()]", "", telephone)
    return digits if MOBILE.match(digits) else None


@dataclass(frozen=True)
class Due:
    """An item named in an invitation."""

    condition: str
    item: str
    condition_label: str
    label: str
    status: str
    due_on: date | None

    def when(self) -> str:
        if self.due_on is None:
            return "due now"
        if self.status == "overdue":
            return f"overdue since {long_date(self.due_on)}"
        if self.status == "due":
            return f"due since {long_date(self.due_on)}"
        return f"due by {long_date(self.due_on)}"


def addressee(person: Person) -> str:
    """The letter's address block: name, address lines, postcode (what is known)."""
    name = " ".join(p for p in (person.given_name, person.family_name) if p) or \
        "The occupier"
    lines = [name, *(part.strip() for part in (person.address or "").split(",")
                     if part.strip()), *([person.postcode] if person.postcode else [])]
    return "\n".join(lines)


def letter(person: Person, practice: str, items: Sequence[Due], on: date) -> str:
    """The letter inviting ``person`` to one appointment for every item of ``items``."""
    name = " ".join(p for p in (person.given_name, person.family_name) if p)
    conditions = list(dict.fromkeys(i.condition_label for i in items))
    about = (conditions[0] if len(conditions) == 1
             else ", ".join(conditions[:-1]) + " and " + conditions[-1])
    lines = "\n".join(f"- {i.label} ({i.condition_label}): {i.when()}" for i in items)
    return "\n\n".join([
        f"{practice}\n{long_date(on)}",
        f"NHS number: {nhs_number_spaced(person.nhs_number)}",
        f"Dear {name or 'Patient'},",
        "Invitation to your long term condition review",
        f"You are due some checks for your {about}. We would like to do them all at one "
        "appointment, so you need to come in only once:",
        lines,
        "Please contact the practice to book your appointment. If you have had any of "
        "these checks done somewhere else, let us know so we can update your record.",
        "If you no longer wish to be invited for these checks, please tell us: we will "
        "talk with you about your choice and record it.",
        f"Yours sincerely,\n{practice}",
    ])


def text_message(person: Person, practice: str, count: int) -> str:
    """The text message sent with the letter: no condition or item named."""
    checks = "a health check" if count == 1 else f"{count} health checks"
    hello = f"Dear {person.given_name}, " if person.given_name else ""
    return (f"{hello}{practice}: you are due {checks} for your long term condition. "
            "Please contact the practice to book one appointment for them. A letter "
            "with the details is on its way.")
