"""Rebalancing proposals a team lead approves or undoes (CM-2).

* **Save**: a case manager (or the team lead) saves the proposal :func:`balance.propose`
  makes for their locality now; each move names the person, from whom and to whom (one
  move per person: :func:`net_moves`).
* **Approve**: only a case manager marked ``team_lead`` of the proposal's locality. Every
  move is checked first (the person still on the caseload the move takes them from, the
  receiver active, no receiver over their cap once every move is made); anything changed
  since the proposal refuses the whole approval, naming what changed. Then each move ends
  the person's caseload entry and opens one on the receiver's caseload. Nothing commits
  here: the request owns the one transaction, so a failure part-way leaves nothing applied.
* **Undo**: the lead of the locality, while every person moved is still on the caseload the
  proposal put them on (no later discharge or move touched them): the new entries end and
  the previous ones are open again, as they were.

``on_person`` is called once for each person a step changes (the web layer writes an audit
row for each).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ltc.care.auth.models import User
from ltc.care.casemgmt import balance
from ltc.care.casemgmt.models import CaseloadEntry, CaseManager, RebalanceMove, RebalanceProposal
from ltc.care.casemgmt.services import caseload_size, open_entry
from ltc.care.db import now

STATUSES = ("proposed", "approved", "undone")
MOVED = "moved to another case manager (rebalancing)"
OnPerson = Callable[[str], None]


class ProposalError(ValueError):
    """A proposal step that cannot be done, with why and what to do instead."""


class NotLeadError(ProposalError):
    """The user is not a team lead of the proposal's locality."""


@dataclass(frozen=True)
class Saved:
    proposal: RebalanceProposal
    moves: list[RebalanceMove]


def _nothing(_: str) -> None:
    return None


def net_moves(moves: list[balance.Move]) -> list[balance.Move]:
    """One move per person from where they are now to where the proposal leaves them: a
    person the proposal moves twice (handed on by a leaver, then moved again to balance)
    moves once, and one it brings back moves not at all."""
    first: dict[str, balance.Move] = {}
    last: dict[str, int] = {}
    for m in moves:
        first.setdefault(m.nhs_number, m)
        last[m.nhs_number] = m.to_user
    return [balance.Move(nhs, m.from_user, last[nhs], m.weight) for nhs, m in first.items()
            if last[nhs] != m.from_user]


def save(session: Session, by: User) -> Saved:
    """Save the proposal for ``by``'s locality as it stands now."""
    cm = session.get(CaseManager, by.id)
    if cm is None:
        raise ProposalError("You have no case manager profile: ask an administrator for one.")
    proposal = balance.propose(balance.locality_loads(session, cm.locality_code))
    wanted = net_moves(proposal.moves)
    if not wanted:
        raise ProposalError("No moves are needed in your locality: there is nothing to save.")
    row = RebalanceProposal(locality_code=cm.locality_code, proposed_by=by.id)
    session.add(row)
    session.flush()
    moves = [RebalanceMove(proposal_id=row.id, nhs_number=m.nhs_number, from_user=m.from_user,
                           to_user=m.to_user, weight=m.weight) for m in wanted]
    session.add_all(moves)
    session.flush()
    return Saved(row, moves)


def is_lead(session: Session, user: User, locality: str) -> bool:
    cm = session.get(CaseManager, user.id)
    return cm is not None and cm.team_lead and cm.locality_code == locality and user.active


def _get(session: Session, proposal_id: int, lead: User) -> tuple[RebalanceProposal,
                                                                     list[RebalanceMove]]:
    row = session.get(RebalanceProposal, proposal_id)
    if row is None:
        raise ProposalError("There is no such proposal.")
    if not is_lead(session, lead, row.locality_code):
        raise NotLeadError(f"Only a team lead of locality {row.locality_code} can approve or "
                           "undo its proposals.")
    moves = list(session.scalars(select(RebalanceMove).where(
        RebalanceMove.proposal_id == row.id).order_by(RebalanceMove.id)))
    return row, moves


def moves_of(session: Session, proposal_ids: list[int]) -> dict[int, list[RebalanceMove]]:
    out: dict[int, list[RebalanceMove]] = {i: [] for i in proposal_ids}
    if proposal_ids:
        for m in session.scalars(select(RebalanceMove).where(
                RebalanceMove.proposal_id.in_(proposal_ids)).order_by(RebalanceMove.id)):
            out[m.proposal_id].append(m)
    return out


def for_locality(session: Session, locality: str, limit: int = 20) -> list[RebalanceProposal]:
    """The locality's proposals, newest first."""
    return list(session.scalars(select(RebalanceProposal).where(
        RebalanceProposal.locality_code == locality)
        .order_by(RebalanceProposal.id.desc()).limit(limit)))


def approve(session: Session, proposal_id: int, lead: User, today: date | None = None,
            on_person: OnPerson = _nothing) -> list[RebalanceMove]:
    """Apply every move of the proposal (see the module doc); refused as a whole when
    anything changed since it was made."""
    today = today or date.today()
    row, moves = _get(session, proposal_id, lead)
    if row.status != "proposed":
        raise ProposalError(f"This proposal is already {row.status}.")
    changed: list[str] = []
    entries: dict[int, CaseloadEntry] = {}
    arriving: Counter[int] = Counter()
    leaving: Counter[int] = Counter()
    for m in moves:
        entry = open_entry(session, m.nhs_number)
        if entry is None or entry.user_id != m.from_user:
            changed.append(f"{m.nhs_number} is no longer on the caseload this proposal moves "
                           "them from")
        else:
            entries[m.id] = entry
        arriving[m.to_user] += 1
        leaving[m.from_user] += 1
    for uid, n in sorted(arriving.items()):
        cm = session.get(CaseManager, uid)
        user = session.get(User, uid)
        if cm is None or user is None or not user.active:
            changed.append(f"case manager {uid} can no longer take people")
            continue
        after = caseload_size(session, uid) + n - leaving.get(uid, 0)
        if after > balance.cap(cm):
            changed.append(f"{user.display_name}'s caseload would be {after}, over their cap "
                           f"of {balance.cap(cm)}")
    if changed:
        raise ProposalError("The caseloads changed since this proposal was made, so nothing "
                            "was moved: " + "; ".join(changed) + ". Save a new proposal.")
    for m in moves:
        old = entries[m.id]
        old.ended_on, old.discharge_reason = today, MOVED
        new = CaseloadEntry(nhs_number=m.nhs_number, user_id=m.to_user, started_on=today,
                            allocated_by=lead.id)
        session.add(new)
        session.flush()
        m.ended_entry_id, m.opened_entry_id = old.id, new.id
        on_person(m.nhs_number)
    row.status, row.approved_by, row.approved_at = "approved", lead.id, now()
    session.flush()
    return moves


def undo(session: Session, proposal_id: int, lead: User, today: date | None = None,
         on_person: OnPerson = _nothing) -> list[RebalanceMove]:
    """Put everyone an approved proposal moved back on their previous caseload."""
    today = today or date.today()
    row, moves = _get(session, proposal_id, lead)
    if row.status != "approved":
        raise ProposalError("Only an approved proposal can be undone; this one is "
                            f"{row.status}.")
    pairs: list[tuple[RebalanceMove, CaseloadEntry, CaseloadEntry]] = []
    changed: list[str] = []
    for m in moves:
        new = session.get(CaseloadEntry, m.opened_entry_id) if m.opened_entry_id else None
        old = session.get(CaseloadEntry, m.ended_entry_id) if m.ended_entry_id else None
        if new is None or old is None or new.ended_on is not None:
            changed.append(f"{m.nhs_number} has moved or been discharged since")
        else:
            pairs.append((m, old, new))
    if changed:
        raise ProposalError("A later caseload change touched people of this proposal, so "
                            "nothing was undone: " + "; ".join(changed) + ".")
    for m, old, new in pairs:
        new.ended_on, new.discharge_reason = today, "rebalancing undone"
        old.ended_on, old.discharge_reason = None, None
        session.flush()
        on_person(m.nhs_number)
    row.status, row.undone_by, row.undone_at = "undone", lead.id, now()
    session.flush()
    return moves


def set_team_lead(session: Session, user_id: int, lead: bool) -> None:
    """Mark a case manager as a team lead of their locality, or not (an administrator)."""
    cm = session.get(CaseManager, user_id)
    if cm is None:
        if lead:
            raise ProposalError("Only a case manager with a profile can be a team lead.")
        return
    cm.team_lead = lead
    session.flush()
