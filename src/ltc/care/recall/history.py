"""One person's register, recall and review (DM-2): their items in the current run (as a
review recorded since may have changed them), their invitations with the letters and
texts each sent, and the reviews recorded for them in the care store."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ltc.care.people.models import StratRun
from ltc.care.recall.lists import unanswered
from ltc.care.recall.models import DUE, Invitation, InvitationMessage, RecallItem, RecallReview


@dataclass
class PersonRecall:
    run: StratRun | None
    items: list[RecallItem]  # the current run's, earliest due first
    invitations: list[Invitation]  # newest first
    messages: dict[int, list[InvitationMessage]]  # by invitation id
    reviews: list[RecallReview]  # newest first

    @property
    def due(self) -> list[RecallItem]:
        return [i for i in self.items if i.status in DUE]

    @property
    def unanswered(self) -> int:
        done = [d for d in (*(i.last_done_on for i in self.items),
                            *(r.on for r in self.reviews)) if d]
        return unanswered([i.on for i in self.invitations], max(done, default=None))


def for_person(session: Session, nhs_number: str) -> PersonRecall:
    run = session.scalar(select(StratRun).where(StratRun.current.is_(True)))
    items = list(session.scalars(select(RecallItem).where(
        RecallItem.run_id == run.id, RecallItem.nhs_number == nhs_number))) if run else []
    items.sort(key=lambda i: (i.due_on is None, i.due_on or date.max, i.condition, i.item))
    invitations = list(session.scalars(select(Invitation).where(
        Invitation.nhs_number == nhs_number).order_by(Invitation.on.desc(),
                                                      Invitation.id.desc())))
    messages: dict[int, list[InvitationMessage]] = {}
    if invitations:
        for m in session.scalars(select(InvitationMessage).where(
                InvitationMessage.invitation_id.in_([i.id for i in invitations]))
                .order_by(InvitationMessage.id)):
            messages.setdefault(m.invitation_id, []).append(m)
    reviews = list(session.scalars(select(RecallReview).where(
        RecallReview.nhs_number == nhs_number).order_by(RecallReview.on.desc(),
                                                        RecallReview.id.desc())))
    return PersonRecall(run, items, invitations, messages, reviews)


def letter_of(session: Session, nhs_number: str, invitation_id: int
              ) -> InvitationMessage | None:
    """The letter of the person's invitation ``invitation_id`` (None: no such letter)."""
    return session.scalar(select(InvitationMessage).join(
        Invitation, Invitation.id == InvitationMessage.invitation_id).where(
        Invitation.id == invitation_id, Invitation.nhs_number == nhs_number,
        InvitationMessage.channel == "letter"))
