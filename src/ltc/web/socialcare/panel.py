"""The person page's social care panel (POP-2 linked records, CM-5 person summary): the
current package of care (intensity, hours a week, since), earlier packages, the latest
social care assessment and review (``socialcare/_person.html.j2``), and their lines in
the person's timeline; also the API's person summary (:func:`social_care_out`).

Only those who may see a person's social care (``ltc.care.socialcare.readers``) are given
any of it: for others the panel adds nothing, not even the timeline lines. What is shown
was kept with the run's activity, which the people panel already joins to the person: this
panel reads nothing itself, so the page's statement count does not change."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel

from ltc.care.people import activity
from ltc.care.socialcare.readers import may_see
from ltc.care.socialcare.summary import SocialCare
from ltc.web.people.composer import Line, Panel, Read


def _social_care(read: Read) -> SocialCare | None:
    """The person's social care, or None when the viewer may not see it."""
    if not may_see(read.role):
        return None
    recent = read.one.get("recent")
    return activity.social_care(recent.social_care if recent is not None else None)


def context(read: Read) -> dict[str, Any]:
    return {"social_care": _social_care(read)}


def timeline(read: Read) -> list[Line]:
    shown = _social_care(read)
    return shown.lines() if shown is not None else []


class PackageOut(BaseModel):
    start: date
    end: date | None
    hours_per_week: float | None
    intensity: str | None


class SocialCareOut(BaseModel):
    """A person's social care in the API's person summary: packages newest first."""

    packages: list[PackageOut]
    latest_assessment: date | None
    latest_review: date | None
    latest_contact: date | None


def social_care_out(shown: SocialCare | None) -> SocialCareOut | None:
    """The API's form of what :func:`context` gave (None for those who may not see it)."""
    if shown is None:
        return None
    return SocialCareOut(
        packages=[PackageOut(start=p.start, end=p.end, hours_per_week=p.hours_per_week,
                             intensity=p.intensity) for p in shown.packages],
        latest_assessment=shown.assessment, latest_review=shown.review,
        latest_contact=shown.contact)


PANEL = Panel("socialcare", context=context, timeline=timeline)
