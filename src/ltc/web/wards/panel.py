"""The person page's virtual ward lines (VW-1): each admission to a ward and each
discharge, with its outcome, in the person's timeline. The stays are a list the composer
reads (one statement, only when the person has had one)."""

from __future__ import annotations

from ltc.care.wards.models import WardStay
from ltc.care.wards.services import OUTCOMES, SOURCES
from ltc.web.people.composer import Line, Listed, Panel, Read


def timeline(read: Read) -> list[Line]:
    lines: list[Line] = []
    for stay in read.lists["ward_stays"]:
        lines.append((stay.admitted_on, "Virtual ward admission",
                      f"{SOURCES.get(stay.source, stay.source)}: {stay.reason}"))
        if stay.discharged_on is not None:
            lines.append((stay.discharged_on, "Virtual ward discharge",
                          OUTCOMES.get(stay.outcome or "", stay.outcome or "")))
    return lines


PANEL = Panel("wards", lists=(Listed("ward_stays", WardStay, WardStay.id),),
              timeline=timeline)
