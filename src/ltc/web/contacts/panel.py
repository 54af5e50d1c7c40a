"""The person page's named-contact panel (DM-3; CM-7: a fixed point for the person): who
their named contact is and since when (``contacts/_person.html.j2``), with a form for the
practice team to name another, and the line it adds to the timeline.

The named contact and their user row are joined to the person in the composer's first
read; the clinicians the form offers are read only when the form is shown (to the
practice team), so the page costs no more statements for anyone else."""

from __future__ import annotations

from functools import partial
from typing import Any

from sqlalchemy import and_
from sqlalchemy.orm import aliased

from ltc.care.auth.models import User
from ltc.care.contacts import services
from ltc.care.contacts.models import NamedContact
from ltc.web.people.composer import Joined, Line, Panel, Read

#: the named contact's user (an alias: other panels may join users too)
ContactUser = aliased(User, name="named_contact_user")


def context(read: Read) -> dict[str, Any]:
    return {"contact_choices": partial(services.clinicians, read.session,
                                       read.person.practice_code)}


def timeline(read: Read) -> list[Line]:
    row, user = read.one["named_contact"], read.one["named_contact_user"]
    if row is None or user is None:
        return []
    return [(row.since, "Named contact", user.display_name)]


PANEL = Panel(
    "contacts",
    joined=(Joined("named_contact", NamedContact, lambda nhs: and_(
        NamedContact.nhs_number == nhs, NamedContact.ended_at.is_(None))),
            Joined("named_contact_user", ContactUser,
                   lambda nhs: ContactUser.id == NamedContact.user_id)),
    context=context, timeline=timeline)
