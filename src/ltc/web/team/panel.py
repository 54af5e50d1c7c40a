"""The person page's wider-team panel (CM-5): the person's allocations to wider-team
users (open and ended) and the actions of their newest care plan assigned to a user, with
their status (``team/_person.html.j2``), and both in the timeline. When the person has
either, one read more names the users (none when they have neither)."""

from __future__ import annotations

from typing import Any

from ltc.care.team import actions, services
from ltc.care.team.models import PlanAction, TeamAllocation
from ltc.web.people.composer import Line, Listed, Panel, Read


def context(read: Read) -> dict[str, Any]:
    allocations, assigned = read.lists["team_allocations"], read.lists["plan_actions"]
    ids = {a.user_id for a in allocations} | {a.assignee_id for a in assigned}
    return {"team_names": services.names(read.session, ids),
            "action_statuses": actions.STATUSES,
            "team_allocators": tuple(r.value for r in services.ALLOCATORS)}


def timeline(read: Read) -> list[Line]:
    return [
        *((a.started_on, "Wider team", "Allocated" + (f": {a.reason}" if a.reason else ""))
          for a in read.lists["team_allocations"]),
        *((a.ended_on, "Wider team", "Allocation ended")
          for a in read.lists["team_allocations"] if a.ended_on is not None),
        *((a.updated_at.date(), "Care-plan action",
           f"{a.what}: {actions.STATUSES.get(a.status, a.status)}")
          for a in read.lists["plan_actions"] if a.updated_by is not None),
    ]


PANEL = Panel("team",
              lists=(Listed("team_allocations", TeamAllocation, TeamAllocation.id),
                     Listed("plan_actions", PlanAction, PlanAction.id)),
              context=context, timeline=timeline)
