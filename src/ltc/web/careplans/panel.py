"""The person page's care-plan panel (CM-5): the newest version of the care plan and
each version's line in the person's timeline."""

from __future__ import annotations

from typing import Any

from ltc.care.careplans.models import CarePlanVersion
from ltc.web.people.composer import Line, Listed, Panel, Read


def context(read: Read) -> dict[str, Any]:
    versions = read.lists["plan_versions"]
    return {"plan": versions[0] if versions else None}


def timeline(read: Read) -> list[Line]:
    return [(v.created_at.date(), "Care plan", f"version {v.version} ({v.status})")
            for v in read.lists["plan_versions"]]


PANEL = Panel("careplans",
              lists=(Listed("plan_versions", CarePlanVersion, CarePlanVersion.version),),
              context=context, timeline=timeline)
