"""The person page's MDT panel (DM-4): the meetings the person was on the agenda of, with
the decision and actions, their nominations waiting for the next meeting, and (for a
clinician) the form to nominate them (``mdt/_person.html.j2``); each decision in the
timeline on the day it was recorded.

The agenda lines and nominations are lists the composer reads; when the person has been
on an agenda, the panel reads those meetings in one more statement (never one per
line)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ltc.care.db import uk_time
from ltc.care.mdt.models import Action, AgendaItem, MdtNomination, Meeting
from ltc.web.people.composer import Line, Listed, Panel, Read


def _meetings(read: Read) -> dict[int, Meeting]:
    ids = sorted({i.meeting_id for i in read.lists["mdt_items"]})
    if not ids:
        return {}
    return {m.id: m for m in read.session.scalars(select(Meeting).where(Meeting.id.in_(ids)))}


def context(read: Read) -> dict[str, Any]:
    meetings = _meetings(read)
    actions: dict[int, list[Action]] = {}
    for action in read.lists["mdt_actions"]:
        actions.setdefault(action.item_id, []).append(action)
    return {"mdt_discussed": [(meetings[i.meeting_id], i, actions.get(i.id, []))
                              for i in read.lists["mdt_items"] if i.meeting_id in meetings],
            "mdt_waiting": [n for n in read.lists["mdt_nominations"] if n.meeting_id is None]}


def timeline(read: Read) -> list[Line]:
    return [(uk_time(i.recorded_at).date(), "MDT decision", i.decision)
            for i in read.lists["mdt_items"] if i.decision and i.recorded_at is not None]


PANEL = Panel("mdt",
              lists=(Listed("mdt_items", AgendaItem, AgendaItem.id),
                     Listed("mdt_actions", Action, Action.id),
                     Listed("mdt_nominations", MdtNomination, MdtNomination.id)),
              context=context, timeline=timeline)
