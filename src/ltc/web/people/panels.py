"""The panels of the person page (CM-5 person summary), in order: the only list of them.
A package that shows something on a person's page adds its ``web/<package>/panel.py``
here (see :mod:`ltc.web.people.composer`)."""

from __future__ import annotations

from ltc.web.assessment import panel as assessment
from ltc.web.careplans import panel as careplans
from ltc.web.casemgmt import panel as casemgmt
from ltc.web.contacts import panel as contacts
from ltc.web.coordination import panel as coordination
from ltc.web.events import panel as events
from ltc.web.mdt import panel as mdt
from ltc.web.people import panel as people
from ltc.web.people.composer import Panel
from ltc.web.phone import panel as phone
from ltc.web.recall import panel as recall
from ltc.web.selfcare import panel as selfcare
from ltc.web.socialcare import panel as socialcare
from ltc.web.team import panel as team
from ltc.web.wards import panel as wards
from ltc.web.work import panel as work

#: timeline lines of one day are listed in this order
PANELS: tuple[Panel, ...] = (people.PANEL, casemgmt.PANEL, contacts.PANEL, work.PANEL,
                             careplans.PANEL, assessment.PANEL, events.PANEL, selfcare.PANEL,
                             mdt.PANEL, recall.PANEL, phone.PANEL, wards.PANEL,
                             socialcare.PANEL, coordination.PANEL, team.PANEL)
