"""The person page's assessment panel (CM-4): the newest comprehensive assessment with
its scales' results (``assessment/_person.html.j2``), and each version's line in the
person's timeline."""

from __future__ import annotations

from ltc.care.assessment.models import Assessment
from ltc.web.people.composer import Line, Listed, Panel, Read


def timeline(read: Read) -> list[Line]:
    return [(a.created_at.date(), "Assessment", f"version {a.version}")
            for a in read.lists["assessments"]]


PANEL = Panel("assessment", lists=(Listed("assessments", Assessment, Assessment.version),),
              timeline=timeline)
