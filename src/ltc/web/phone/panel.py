"""The person page's telephone care panel (DM-7): the next call scheduled and the last
call made, with its red flags and whom they went to (``phone/_person.html.j2``); and the
calls made in the timeline. Everything shown is in the panel's list, read by the
composer: the panel reads nothing itself."""

from __future__ import annotations

from typing import Any

from ltc.care.phone.models import PhoneCall
from ltc.care.phone.services import OUTCOMES
from ltc.web.people.composer import Line, Listed, Panel, Read


def context(read: Read) -> dict[str, Any]:
    calls = read.lists["phone_calls"]
    scheduled = sorted((c for c in calls if c.status == "scheduled"),
                       key=lambda c: (c.due_on, c.id))
    made = sorted((c for c in calls if c.status == "made" and c.made_on),
                  key=lambda c: (c.made_on, c.id), reverse=True)
    return {"phone_next": scheduled[0] if scheduled else None,
            "phone_last": made[0] if made else None}


def timeline(read: Read) -> list[Line]:
    return [(c.made_on, "Telephone call", OUTCOMES.get(c.outcome or "", c.outcome or "")
             + (f"; {c.red_flags} red flag{'s' if c.red_flags > 1 else ''} escalated: "
                f"{c.escalated}" if c.red_flags else ""))
            for c in read.lists["phone_calls"] if c.status == "made" and c.made_on]


PANEL = Panel("phone", lists=(Listed("phone_calls", PhoneCall, PhoneCall.due_on),),
              context=context, timeline=timeline)
