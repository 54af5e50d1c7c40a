"""The person page's case-management panel (CM-2, CM-3, STRAT-7): the open caseload
entry and the named case manager, approaches and consent, clinicians' nominations and
exclusions, and, for a person on no caseload, the case managers suggested for them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_

from ltc.care.auth.models import User
from ltc.care.casemgmt import services as cases
from ltc.care.casemgmt.models import Approach, CaseloadEntry, Nomination
from ltc.web.people.composer import Joined, Line, Listed, Panel, Read


def context(read: Read) -> dict[str, Any]:
    entry = read.one["entry"]
    suggestions = (cases.suggest(read.session, read.person.nhs_number)
                   if read.page and entry is None else [])
    return {"manager": read.session.get(User, entry.user_id) if entry else None,
            "suggestions": suggestions}


def timeline(read: Read) -> list[Line]:
    return [(a.on, "Approach", f"{a.outcome}" + (f": {a.note}" if a.note else ""))
            for a in read.lists["approaches"]]


PANEL = Panel(
    "casemgmt",
    joined=(Joined("entry", CaseloadEntry, lambda nhs: and_(
        CaseloadEntry.nhs_number == nhs, CaseloadEntry.ended_on.is_(None))),),
    lists=(Listed("approaches", Approach, Approach.at),
           Listed("nominations", Nomination, Nomination.at)),
    context=context, timeline=timeline)
