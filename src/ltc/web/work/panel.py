"""The person page's panel for working the caseload (CM-6, CM-7, CM-10, CM-11):
contacts, tasks, referrals and satisfaction survey responses (``work/_person.html.j2``),
and the contacts' and referrals' lines in the person's timeline."""

from __future__ import annotations

from ltc.care.work.models import Contact, Referral, SurveyResponse, Task
from ltc.web.people.composer import Line, Listed, Panel, Read


def timeline(read: Read) -> list[Line]:
    return ([(c.on, "Contact", f"{c.kind.replace('_', ' ')}: {c.outcome}")
             for c in read.lists["contacts"]]
            + [(r.on, "Referral", f"{r.service.replace('_', ' ')}: {r.reason}")
               for r in read.lists["referrals"]])


PANEL = Panel("work",
              lists=(Listed("contacts", Contact, Contact.at), Listed("tasks", Task, Task.at),
                     Listed("referrals", Referral, Referral.at),
                     Listed("surveys", SurveyResponse, SurveyResponse.id)), timeline=timeline)
