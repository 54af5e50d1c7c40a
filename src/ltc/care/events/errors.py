"""The errors of the inbox, flag and admission review actions (CM-8, CM-9, DM-5,
STRAT-2): each message names the field and what is expected."""

from __future__ import annotations


class InboxError(ValueError):
    """An inbox, flag or review action that cannot be done, saying which field is wrong
    and what is expected."""


class NotFoundError(LookupError):
    """No such alert for this user, or no such flag, event or message."""


def choice(value: str, label: str, allowed: dict[str, str]) -> str:
    if value not in allowed:
        raise InboxError(f"{label}: {value!r} is not one of the choices. Choose one of "
                         f"{', '.join(allowed)}.")
    return value
