"""The person page's self-care panel (SC-1, SC-2, SC-4, SC-5): programmes the person was
referred to and how far they have got, the latest reading of each measure against its
target (and whom an out-of-range one prompted), goals due for review, and the resources
suggested to them (``selfcare/_person.html.j2``); and their lines in the timeline.

Everything shown is in the panel's lists (read by the composer) and what each row kept
when it was recorded: the panel reads nothing itself, so the page's statement count does
not change."""

from __future__ import annotations

from datetime import date
from typing import Any

from ltc.care.selfcare import goals, targets
from ltc.care.selfcare.models import Goal, ProgrammeReferral, Reading, Suggestion
from ltc.care.selfcare.programmes import OPEN, STATUSES
from ltc.web.people.composer import Line, Listed, Panel, Read


def measures() -> dict[str, targets.Measure]:
    """The packaged measures, for their labels (a reading keeps its unit and target)."""
    return targets.load().measures


def shown(reading: Reading) -> str:
    """A reading's value as people read it."""
    m = measures().get(reading.measure)
    if m is not None and len(m.components) == len(reading.value):
        return m.show(reading.value)
    return f"{'/'.join(f'{v:g}' for v in reading.value)} {reading.unit}".strip()


def label(measure: str) -> str:
    m = measures().get(measure)
    return m.label if m is not None else measure.replace("_", " ").capitalize()


def context(read: Read) -> dict[str, Any]:
    today = date.today()
    latest: dict[str, Reading] = {}
    for r in sorted(read.lists["selfcare_readings"], key=lambda r: (r.taken_at, r.id),
                    reverse=True):
        latest.setdefault(r.measure, r)
    return {"selfcare_latest": list(latest.values()), "selfcare_label": label,
            "selfcare_shown": shown,
            "selfcare_goals_due": [g for g in read.lists["selfcare_goals"]
                                   if goals.is_due(g, today)],
            "selfcare_open_referrals": [r for r in read.lists["selfcare_referrals"]
                                        if r.status in OPEN]}


def timeline(read: Read) -> list[Line]:
    return ([(r.referred_on, "Self-care programme", f"referred to {r.programme_name}")
             for r in read.lists["selfcare_referrals"]]
            + [(r.ended_on, "Self-care programme",
                f"{STATUSES[r.status].lower()}: {r.programme_name}"
                + (f" ({r.reason})" if r.reason else ""))
               for r in read.lists["selfcare_referrals"] if r.ended_on is not None]
            + [(g.set_on, "Goal", g.goal) for g in read.lists["selfcare_goals"]]
            + [(s.on, "Signposted", s.resource_name)
               for s in read.lists["selfcare_suggestions"]])


PANEL = Panel("selfcare",
              lists=(Listed("selfcare_referrals", ProgrammeReferral, ProgrammeReferral.id),
                     Listed("selfcare_readings", Reading, Reading.taken_at),
                     Listed("selfcare_goals", Goal, Goal.id),
                     Listed("selfcare_suggestions", Suggestion, Suggestion.id)),
              context=context, timeline=timeline)
