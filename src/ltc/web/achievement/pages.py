"""Pages: the practice's achievement (DM-6) per QOF indicator: its numerator,
denominator, exceptions and achievement (its own clinicians' figures, exact), beside the
locality's and the community's achievement, which are published figures across other
practices and so go through small-number suppression (``ltc.analytics.suppression``); and
for each indicator the practice's people behind the gap (not met) and those excepted,
with the reason. Practice team only, the user's own practice (as the recall list); each
person shown is audited as a ``list`` row."""

from __future__ import annotations

from typing import Annotated

from fastapi import HTTPException, Path, Query, Request
from fastapi.responses import Response

from ltc.analytics import suppression
from ltc.care.achievement.figures import Counts, indicator_people, kept_figures
from ltc.web.deps import Db, Me, guarded_router
from ltc.web.medicines.pages import practice_of
from ltc.web.pages import page
from ltc.web.policy import PRACTICE_TEAM, policy

router = guarded_router()
PageNumber = Annotated[int, Query(ge=1, le=100_000)]


def published(counts: Counts | None, register: bool = False) -> str:
    """A locality's or the community's figure as it may be shown, suppressed: for a
    register its size, else its achievement (``*`` when a count is withheld, ``-`` when
    there is none)."""
    if counts is None:
        return "-"
    if register:
        shown = suppression.count(counts.numerator)
        return suppression.WITHHELD if shown is None else f"{shown:,}"
    if counts.achievement is None:
        return "-"
    text = suppression.show_percent(counts.numerator, counts.denominator)
    return text if text in (suppression.WITHHELD, "-") else f"{text}%"


@router.get("/achievement")
@policy("signed_in", roles=PRACTICE_TEAM)
def achievement_page(request: Request, db: Db, me: Me) -> Response:
    practice = practice_of(me)
    return page(request, "achievement/practice.html.j2", title="Achievement",
                found=kept_figures(db, practice), published=published)


@router.get("/achievement/{indicator}")
@policy("signed_in", roles=PRACTICE_TEAM)
def indicator_page(request: Request, db: Db, me: Me,
                   indicator: Annotated[str, Path(max_length=32)],
                   page_number: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
                   excepted_page: PageNumber = 1) -> Response:
    practice = practice_of(me)
    found = indicator_people(db, practice, indicator, page_number, excepted_page)
    if found is None:
        raise HTTPException(404, f"The current run has no indicator {indicator}.")
    for row in (*found.gap.rows, *found.excepted.rows):
        request.state.audit.add(row.nhs_number, "list", f"GET /achievement/{indicator}")
    return page(request, "achievement/indicator.html.j2", title=found.label.id,
                found=found, practice=practice)
