"""The person page's hospital and ambulance events panel (CM-8, CM-9, DM-5, STRAT-2): the
events with their alerts, open flags and admissions waiting for their review
(``events/_person.html.j2``; the review tasks are the work panel's tasks)."""

from __future__ import annotations

from ltc.care.events.models import AdmissionReview, Alert, CareEvent, Flag
from ltc.web.people.composer import Listed, Panel

PANEL = Panel("events",
              lists=(Listed("care_events", CareEvent, CareEvent.occurred_at),
                     Listed("alerts", Alert, Alert.created_at),
                     Listed("flags", Flag, Flag.raised_at),
                     Listed("admission_reviews", AdmissionReview, AdmissionReview.at)))
