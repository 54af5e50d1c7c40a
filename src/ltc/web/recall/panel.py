"""The person page's recall panel (DM-2): the clinician prompt of what is due now for the
person in the current run, each item with its status and due date, a link to record it,
and how many invitations went unanswered (``recall/_person.html.j2``); and the person's
invitations and recorded reviews in the timeline.

Everything shown is in the panel's lists (read by the composer) and the current run the
people panel joins: the panel reads nothing itself, so the page's statement count does
not change."""

from __future__ import annotations

import functools
from datetime import date
from typing import Any

from ltc import protocols
from ltc.care.recall.lists import NO_RESPONSE_AFTER, unanswered
from ltc.care.recall.models import DUE, Invitation, RecallItem, RecallReview
from ltc.web.people.composer import Line, Listed, Panel, Read
from ltc.web.recall.views import Labels, status_words, tag


@functools.cache
def labels() -> Labels:
    """The packaged protocols' labels (an item a local protocol adds shows its id)."""
    return Labels(protocols.load())


def _current(read: Read) -> list[RecallItem]:
    run = read.one.get("run")
    return [i for i in read.lists["recall_items"] if run is not None and i.run_id == run.id]


def context(read: Read) -> dict[str, Any]:
    items = _current(read)
    due = sorted((i for i in items if i.status in DUE),
                 key=lambda i: (i.due_on is None, i.due_on or date.max, i.condition, i.item))
    done = [d for d in (*(i.last_done_on for i in items),
                        *(r.on for r in read.lists["recall_reviews"])) if d]
    return {"recall_due": due, "recall_has_items": bool(items),
            "recall_unanswered": unanswered([i.on for i in read.lists["recall_invitations"]],
                                            max(done, default=None)),
            "recall_no_response_after": NO_RESPONSE_AFTER,
            "recall_status_words": status_words, "recall_tag": tag,
            "recall_labels": labels()}


def timeline(read: Read) -> list[Line]:
    return ([(i.on, "Invited to a review", ", ".join(str(x.get("label", "")) for x in i.items))
             for i in read.lists["recall_invitations"]]
            + [(r.on, "Review item recorded",
                f"{r.label}: {'done' if r.outcome == 'done' else 'excepted'}"
                + (f" ({r.value:g}" + (f"/{r.value_2:g}" if r.value_2 is not None else "")
                   + ")" if r.value is not None else ""))
               for r in read.lists["recall_reviews"]])


PANEL = Panel("recall",
              lists=(Listed("recall_items", RecallItem, RecallItem.due_on),
                     Listed("recall_invitations", Invitation, Invitation.id),
                     Listed("recall_reviews", RecallReview, RecallReview.id)),
              context=context, timeline=timeline)
