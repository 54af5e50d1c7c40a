"""Invitations (DM-2): one per person naming every item they are due, as a letter (the
words checked here in full) and, with a mobile number, a text message that names no
condition; recorded with the date, channels and items; delivered through the outbox in
batches, each message once, never for an invitation rolled back; not repeated within 7
days (QOF counts invitations 7 days apart); three without a response mark the person."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from ltc.care.auth.models import User
from ltc.care.db import make_engine, sessions, unit_of_work
from ltc.care.recall import history, invitations, lists, outbox, reviews
from ltc.care.recall.models import Invitation, InvitationMessage
from ltc.protocols import load as load_protocols

from ..care import IN_AREA, IN_AREA_2, LOW, MISSING, Community
from .setup import add_recall

PROTOCOLS = load_protocols()
ON = date(2025, 4, 10)

LETTER = """Castle Surgery
10 April 2025

NHS number: 943 476 5919

Dear Edna Clarke,

Invitation to your long term condition review

You are due some checks for your COPD. We would like to do them all at one appointment, \
so you need to come in only once:

- COPD review (COPD): overdue since 1 October 2024
- Spirometry (FEV1, FVC) (COPD): due since 1 March 2025

Please contact the practice to book your appointment. If you have had any of these checks \
done somewhere else, let us know so we can update your record.

If you no longer wish to be invited for these checks, please tell us: we will talk with \
you about your choice and record it.

Yours sincerely,
Castle Surgery"""

TEXT = ("Dear Edna, Castle Surgery: you are due 2 health checks for your long term "
        "condition. Please contact the practice to book one appointment for them. A letter "
        "with the details is on its way.")


def _invite(url: str, user: int, people: Sequence[str], on: date = ON
            ) -> invitations.Invited:
    with unit_of_work(sessions(make_engine(url))) as s:
        by = s.get(User, user)
        assert by is not None
        return invitations.invite(s, by, people, PROTOCOLS, on)


def test_one_invitation_names_every_item_due_in_a_letter_and_a_text(
        community: Community) -> None:
    add_recall(community.url)
    done = _invite(community.url, community.users["gp"], [IN_AREA])
    assert not done.skipped
    with sessions(make_engine(community.url))() as s:
        invitation = s.scalars(select(Invitation)).one()
        assert (invitation.nhs_number, invitation.on, invitation.channels,
                invitation.practice_code) == (IN_AREA, ON, "letter,sms", "P1")
        assert [(i["condition"], i["item"], i["status"], i["due_on"])
                for i in invitation.items] == [
            ("copd", "review", "overdue", "2024-10-01"),
            ("copd", "spirometry", "due", "2025-03-01")]  # not the item done
        letter, text = s.scalars(select(InvitationMessage).order_by(
            InvitationMessage.id)).all()
    assert (letter.channel, letter.to) == ("letter", "Edna Clarke\n4 Mill Lane\nLeicester\n"
                                                     "LE1 5WW")
    assert letter.text == LETTER
    assert (text.channel, text.to, text.text) == ("sms", "07700900461", TEXT)
    assert "COPD" not in text.text
    assert "spirometry" not in text.text.lower()
    assert letter.sent_at is None
    assert text.sent_at is None


def test_who_is_not_invited_and_why(community: Community) -> None:
    add_recall(community.url)
    first = _invite(community.url, community.users["gp"], [IN_AREA])
    assert len(first.invitations) == 1
    done = _invite(community.url, community.users["gp"],
                   [IN_AREA, IN_AREA_2, LOW, MISSING], date(2025, 4, 16))
    assert done.skipped == {
        IN_AREA: "invited on 10 April 2025: invite again 7 days or more after that",
        IN_AREA_2: "nothing is due", MISSING: "no such person"}
    # a landline: the letter only
    assert [(i.nhs_number, i.channels) for i in done.invitations] == [(LOW, "letter")]
    again = _invite(community.url, community.users["gp"], [IN_AREA], date(2025, 4, 17))
    assert [i.nhs_number for i in again.invitations] == [IN_AREA]  # 7 days on


class Recorder:
    def __init__(self, fail: Sequence[str] = ()) -> None:
        self.fail, self.sent = set(fail), []

    def send(self, messages: Sequence[outbox.Message]) -> None:
        if any(m.channel in self.fail for m in messages):
            raise ConnectionError("the text-message service is down")
        self.sent += [m.id for m in messages]


def test_the_outbox_sends_each_message_once_and_retries_what_failed(
        community: Community, tmp_path: Path) -> None:
    add_recall(community.url)
    _invite(community.url, community.users["gp"], [IN_AREA, LOW])
    factory = sessions(make_engine(community.url))
    with unit_of_work(factory) as s:
        assert outbox.waiting(s, "P1") == 3
        assert outbox.waiting(s, "P2") == 0
        down = Recorder(fail=["sms"])
        assert outbox.deliver(s, down, "P1") == 2  # the letters, each on its own
    with unit_of_work(factory) as s:
        assert outbox.waiting(s) == 1
        folder = tmp_path / "outbox"
        sender = outbox.OutboxFile(folder, lambda m: b"%PDF-" + m.to.encode())
        assert outbox.deliver(s, sender) == 1
        assert outbox.deliver(s, sender) == 0  # nothing is sent twice
        attempts = s.scalar(select(func.max(InvitationMessage.attempts)))
        assert attempts == 2
    lines = [json.loads(line) for path in sorted(folder.glob("invitations-*.jsonl"))
             for line in path.read_text().splitlines()]
    assert [(r["channel"], r["to"]) for r in lines] == [("sms", "07700900461")]
    with unit_of_work(factory) as s:  # a new invitation, with its letter written as a PDF
        for m in s.scalars(select(InvitationMessage)):
            m.sent_at = None
        assert outbox.deliver(s, outbox.OutboxFile(folder, lambda m: b"%PDF-1.7 letter"),
                              limit=1) == 1
    pdfs = list((folder / "letters").glob("invitation-*.pdf"))
    assert len(pdfs) == 1
    assert pdfs[0].read_bytes() == b"%PDF-1.7 letter"
    record = json.loads((folder / f"invitations-{date.today():%Y-%m-%d}.jsonl")
                        .read_text().splitlines()[-1])
    assert record["pdf"] == f"letters/{pdfs[0].name}"
    assert record["text"].startswith(
        "Castle Surgery")


def test_an_invitation_rolled_back_is_never_sent(community: Community) -> None:
    add_recall(community.url)
    factory = sessions(make_engine(community.url))

    def fails() -> None:
        with unit_of_work(factory) as s:
            by = s.get(User, community.users["gp"])
            assert by is not None
            invitations.invite(s, by, [IN_AREA], PROTOCOLS, ON)
            raise RuntimeError("the request failed after inviting")

    with pytest.raises(RuntimeError):
        fails()
    with unit_of_work(factory) as s:
        assert outbox.deliver(s, Recorder()) == 0
        assert s.scalar(select(func.count()).select_from(Invitation)) == 0


def test_three_invitations_without_a_review_mark_the_person(community: Community) -> None:
    add_recall(community.url)
    gp = community.users["gp"]
    for day in (date(2025, 4, 1), date(2025, 4, 8), date(2025, 4, 15)):
        _invite(community.url, gp, [IN_AREA], day)
    factory = sessions(make_engine(community.url))
    with factory() as s:
        row = next(r for r in lists.recall_list(s, "P1").rows if r.person.nhs_number == IN_AREA)
        assert (row.unanswered, row.no_response, row.last_invited_on) == (
            3, True, date(2025, 4, 15))
        assert history.for_person(s, IN_AREA).unanswered == 3
    with unit_of_work(factory) as s:  # a review since answers them
        by = s.get(User, gp)
        assert by is not None
        reviews.record(s, IN_AREA, by, PROTOCOLS, condition="copd", item="spirometry",
                       outcome="done", on=date(2025, 4, 16), today=date(2025, 4, 16))
    with factory() as s:
        row = next(r for r in lists.recall_list(s, "P1").rows if r.person.nhs_number == IN_AREA)
        assert (row.unanswered, row.no_response) == (0, False)
