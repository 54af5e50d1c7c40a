"""The patient banner on every person page, in the NHS.UK pattern (CM-5): name as
FAMILY, Given; NHS number in groups of 3 3 4; date of birth as 12-Mar-1941 with the age;
sex; address. Clinicians identify a patient by name, date of birth and NHS number together.
Below them, the person's main (or first) active carer: "Carer: Name (daughter), 07700
900123 — consents to contact" (:func:`ltc.care.careplans.carers.banner_line`).

The banner is the only place the care plane shows a name or address: nothing here is
logged.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy.orm import Session

from ltc.care.careplans.carers import banner_line
from ltc.care.people.models import Person, display_name

SEXES = {"F": "Female", "M": "Male", "U": "Not known"}


@dataclass(frozen=True)
class Banner:
    name: str
    nhs_number: str
    date_of_birth: str
    age: int | None
    sex: str
    address: str
    died: str | None
    carer: str | None = None  # the carer line, when the person has an active carer


def nhs_number(value: str) -> str:
    """``9434765919`` -> ``943 476 5919`` (anything else as it is)."""
    digits = (value or "").strip()
    if len(digits) == 10 and digits.isdigit():
        return f"{digits[:3]} {digits[3:6]} {digits[6:]}"
    return digits


def birth_date(value: date | None) -> str:
    """``1941-03-12`` -> ``12-Mar-1941``, the form NHS patient banners use."""
    return f"{value.day:02d}-{value:%b}-{value.year}" if value else "Not known"


def age(born: date | None, on: date) -> int | None:
    """Age in completed years on ``on``."""
    if born is None:
        return None
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def banner(person: Person, today: date) -> Banner:
    address = ", ".join(p for p in (person.address, person.postcode) if p)
    end = person.date_of_death or today
    return Banner(
        name=display_name(person.given_name, person.family_name) or "Name not known",
        nhs_number=nhs_number(person.nhs_number),
        date_of_birth=birth_date(person.date_of_birth),
        age=age(person.date_of_birth, end),
        sex=SEXES.get(person.sex or "U", "Not known"),
        address=address or "Address not known",
        died=birth_date(person.date_of_death) if person.date_of_death else None)


def for_person(session: Session, nhs: str, today: date | None = None) -> Banner | None:
    """The banner of the person with NHS number ``nhs``, or None when there is none."""
    person = session.get(Person, nhs)
    if person is None:
        return None
    return replace(banner(person, today or date.today()), carer=banner_line(session, nhs))
