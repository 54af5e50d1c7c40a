"""The person page's assessment panel (CM-4): the newest comprehensive assessment with
its scales' results and the newest co-designed assessment (VW-2) with the care-plan
needs it suggests (``assessment/_person.html.j2``), and each version's and response's
line in the person's timeline."""

from __future__ import annotations

from typing import Any

from ltc.care.assessment import questionnaire
from ltc.care.assessment.models import Assessment, CodesignedResponse
from ltc.web.people.composer import Line, Listed, Panel, Read


def timeline(read: Read) -> list[Line]:
    return [*((a.created_at.date(), "Assessment", f"version {a.version}")
              for a in read.lists["assessments"]),
            *((r.created_at.date(), "Co-designed assessment",
               f"version {r.questionnaire_version} of the questionnaire")
              for r in read.lists["codesigned_responses"])]


def context(read: Read) -> dict[str, Any]:
    newest = read.lists["codesigned_responses"][:1]
    return {"codesigned_needs": questionnaire.suggested_needs(newest[0] if newest else None)}


PANEL = Panel("assessment",
              lists=(Listed("assessments", Assessment, Assessment.version),
                     Listed("codesigned_responses", CodesignedResponse,
                            CodesignedResponse.created_at)),
              context=context, timeline=timeline)
