"""The one error of the self-care services and the checks of what people type (SC-1,
SC-2, SC-4, SC-5): every message names the field and what is expected."""

from __future__ import annotations

from datetime import date

from ltc.care.work.services import free_text

MAX_TEXT = 2000  # notes, reasons, goals
MAX_LINE = 300  # one step of an action plan
MAX_LINES = 20  # steps of an action plan


class SelfCareError(ValueError):
    """Something that cannot be saved, saying which field is wrong and what is expected."""


class NotFoundError(LookupError):
    """No such referral or goal for this person."""


def text(value: str, label: str, *, required: bool, limit: int = MAX_TEXT) -> str:
    return free_text(value, label, limit, required=required, error=SelfCareError)


def lines(value: str, label: str, *, required: bool) -> list[str]:
    """One entry per non-empty line of ``value``."""
    found = [text(line, label, required=False, limit=MAX_LINE)
             for line in value.splitlines()]
    found = [line for line in found if line]
    if required and not found:
        raise SelfCareError(f"{label}: this is empty. Type one on each line.")
    if len(found) > MAX_LINES:
        raise SelfCareError(f"{label}: there are {len(found)} lines. Keep to {MAX_LINES} or "
                            "fewer.")
    return found


def choice(value: str, label: str, allowed: dict[str, str]) -> str:
    if value not in allowed:
        raise SelfCareError(f"{label}: {value!r} is not one of the choices. Choose one of "
                            f"{', '.join(allowed)}.")
    return value


def past(value: date | None, label: str, today: date, *, default_today: bool = True
         ) -> date:
    """A day that has happened (today when not given and ``default_today``)."""
    if value is None:
        if default_today:
            return today
        raise SelfCareError(f"{label}: this is empty. Give the date.")
    if value > today:
        raise SelfCareError(f"{label}: {value.isoformat()} is in the future. Give today's "
                            "date or an earlier one.")
    return value


def future(value: date | None, label: str, today: date) -> date:
    """A day after today."""
    if value is None:
        raise SelfCareError(f"{label}: this is empty. Give the date.")
    if value <= today:
        raise SelfCareError(f"{label}: {value.isoformat()} is not after today. Give a later "
                            "date.")
    return value
