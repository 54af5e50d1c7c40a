"""The person page's co-ordination panel (VW-2, POP-5): the person's referrals to a
co-ordinator, their contact attempt log and whether three unanswered attempts suggest
recording the approach as uncontactable (``coordination/_person.html.j2``), and both in
the timeline."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ltc.care.coordination import services as coordination
from ltc.care.coordination.models import ContactAttempt, CoordinatorReferral
from ltc.web.people.composer import Line, Listed, Panel, Read


def now_local() -> str:
    """Now, as a ``datetime-local`` field's value (to the minute)."""
    return datetime.now().strftime("%Y-%m-%dT%H:%M")


def context(read: Read) -> dict[str, Any]:
    # newest first; attempts logged for the same minute, the later logged first
    attempts = sorted(read.lists["contact_attempts"], key=lambda a: (a.at, a.id), reverse=True)
    return {"contact_attempts": attempts,
            "uncontactable_suggested": coordination.suggests_uncontactable(
                attempts, read.lists.get("approaches", [])),
            "attempt_methods": coordination.METHODS, "attempt_outcomes": coordination.OUTCOMES,
            "referral_sources": coordination.SOURCES,
            "referral_next": coordination.NEXT, "now_local": now_local()}


def timeline(read: Read) -> list[Line]:
    sources = coordination.SOURCES
    return [
        *((r.at.date(), "Referral to a co-ordinator",
           f"{sources.get(r.source, r.source)} ({r.status}): {r.reason}")
          for r in read.lists["coordinator_referrals"]),
        *((a.at.date(), "Contact attempt",
           f"{coordination.METHODS.get(a.method, a.method)}: "
           f"{coordination.OUTCOMES.get(a.outcome, a.outcome)}" + (f" – {a.note}" if a.note
                                                                   else ""))
          for a in read.lists["contact_attempts"]),
    ]


PANEL = Panel("coordination",
              lists=(Listed("coordinator_referrals", CoordinatorReferral, CoordinatorReferral.at),
                     Listed("contact_attempts", ContactAttempt, ContactAttempt.at)),
              context=context, timeline=timeline)
