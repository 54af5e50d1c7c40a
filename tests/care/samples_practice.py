"""The practice's list routes of medicines and achievement (SC-3, DM-6) for the sweeps.

Their paths name no person (they list the signed-in user's practice's people), so the
person-route sweeps of ``test_access.py`` and ``test_write_routes_atomic.py`` have nothing
of them: :func:`samples` gives none. :data:`LISTS` gives each list route with the user of
practice P1 who opens it and the people it shows once :func:`ready` has put the
medicines and achievement rows in the store; ``tests/care/achievement/test_sweeps.py``
sweeps them: every route under :data:`PREFIXES` has a sample, other roles are refused
and another practice sees none of them, each person shown is audited once, and markup
shows as text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .care import IN_AREA, IN_AREA_2, LOW
from .contacts.team import add_team
from .medicines.setup import add_achievement, add_medicines

#: the list routes swept here (every GET route of the app under these)
PREFIXES = ("/medicines", "/achievement")


@dataclass(frozen=True)
class Listed:
    route: str  # the route's path as the app declares it
    path: str  # the path requested, with its query
    user: str  # a user of practice P1 who may open it
    shown: frozenset[str]  # the people it shows

    @property
    def audited_as(self) -> str:
        return "GET " + self.path.split("?")[0]


LISTS = (
    Listed("/medicines", "/medicines", "nurse", frozenset({IN_AREA, LOW})),
    Listed("/medicines", "/medicines?list=adherence", "gp", frozenset({IN_AREA, IN_AREA_2})),
    Listed("/medicines", "/medicines?list=polypharmacy", "pm", frozenset({IN_AREA})),
    Listed("/achievement", "/achievement", "nurse", frozenset()),
    Listed("/achievement/{indicator}", "/achievement/DM006", "pm",
           frozenset({IN_AREA, LOW, IN_AREA_2})),
)


def ready(url: str, users: dict[str, int]) -> None:
    """The practice teams of P1 and P2, and the medicines and achievement rows."""
    add_team(url, users)
    add_medicines(url)
    add_achievement(url)


def samples(users: dict[str, int]) -> list[tuple[str, str, str, dict[str, Any]]]:
    """No person route: see the module's docstring."""
    return []
