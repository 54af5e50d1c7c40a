"""Messages received from hospitals and the ambulance service, the events they carry,
and what the alert rules made of them: alerts, flags, admission reviews and the
notification outbox (CM-8, CM-9, DM-5, STRAT-2)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ltc.care.db import Base, now


class InboundMessage(Base):
    """One message as received, kept raw: applied, waiting in the review queue (unknown
    person), quarantined (malformed or unsupported) or dismissed.

    ``sender`` and ``control_id`` identify a message (HL7 v2: MSH-3^MSH-4 and MSH-10);
    a second message with the same pair is a duplicate and changes nothing."""

    __tablename__ = "inbound_message"
    __table_args__ = (UniqueConstraint("sender", "control_id"),
                      Index("ix_inbound_message_status", "status", "id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    feed: Mapped[str] = mapped_column(String(16))  # hl7v2, fhir, ambulance
    sender: Mapped[str] = mapped_column(String(200))
    control_id: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[str | None] = mapped_column(String(32))  # e.g. ADT^A01, Encounter
    status: Mapped[str] = mapped_column(String(16))  # applied, unmatched, quarantined, ...
    #: why it was quarantined or is waiting (never patient data)
    problem: Mapped[str] = mapped_column(Text, default="")
    #: the NHS number the message gave, if any (the review queue shows it)
    nhs_number: Mapped[str | None] = mapped_column(String(32), index=True)
    raw: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(default=now)
    applied_at: Mapped[datetime | None]
    duplicates: Mapped[int] = mapped_column(default=0)
    resolved_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))


class CareEvent(Base):
    """An admission, transfer, discharge, attendance, update, cancellation or ambulance
    incident of a known person, as applied."""

    __tablename__ = "care_event"
    __table_args__ = (Index("ix_care_event_person", "nhs_number", "occurred_at"),
                      Index("ix_care_event_spell", "nhs_number", "spell_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("inbound_message.id"), index=True)
    nhs_number: Mapped[str] = mapped_column(String(10))
    kind: Mapped[str] = mapped_column(String(32))  # see ltc.care.events.feed.KINDS
    occurred_at: Mapped[datetime]
    #: the hospital's spell (visit) number, or the ambulance incident number
    spell_id: Mapped[str | None] = mapped_column(String(64))
    facility: Mapped[str | None] = mapped_column(String(100))
    location: Mapped[str | None] = mapped_column(String(100))
    admission_method: Mapped[str | None] = mapped_column(String(8))
    unplanned: Mapped[bool | None]
    conveyed: Mapped[bool | None]  # ambulance incidents
    died: Mapped[bool] = mapped_column(default=False)
    #: set when a later cancellation (A11, A13) withdrew this event
    cancelled_at: Mapped[datetime | None]
    exported_at: Mapped[datetime | None]  # written to the record plane


class PersonLink(Base):
    """Who cares for whom, or is family (from HL7 NK1 segments with an NHS number): used
    to flag a person whose carer or family member died (STRAT-2)."""

    __tablename__ = "person_link"

    nhs_number: Mapped[str] = mapped_column(String(10), primary_key=True)
    related_nhs_number: Mapped[str] = mapped_column(String(10), primary_key=True, index=True)
    #: HL7 table 0063 relationship of the related person to this person (CGV care giver,
    #: SPO spouse, ...)
    relationship: Mapped[str] = mapped_column(String(8))
    at: Mapped[datetime] = mapped_column(default=now)


class Alert(Base):
    """Something a clinician should know: for one user (a case manager) or for a practice
    (its clinicians), until acknowledged."""

    __tablename__ = "alert"
    __table_args__ = (Index("ix_alert_user_open", "user_id", "acknowledged_at"),
                      Index("ix_alert_practice_open", "practice_code", "acknowledged_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    nhs_number: Mapped[str] = mapped_column(String(10), index=True)
    kind: Mapped[str] = mapped_column(String(32))  # see ltc.care.events.rules.ALERT_KINDS
    title: Mapped[str] = mapped_column(String(300))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("care_event.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    practice_code: Mapped[str | None] = mapped_column(String(16))
    #: a practice alert taken by one clinician
    assigned_to: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=now)
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    snoozed_until: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]


class Flag(Base):
    """A mark on a person for review: a frequent ambulance caller (DM-5), or a carer's
    death or a bereavement (STRAT-2), until cleared."""

    __tablename__ = "person_flag"
    __table_args__ = (Index("ix_person_flag_open", "nhs_number", "kind", "cleared_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    nhs_number: Mapped[str] = mapped_column(String(10))
    kind: Mapped[str] = mapped_column(String(32))  # frequent_caller, carer_died, bereaved
    reason: Mapped[str] = mapped_column(String(300))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("care_event.id"))
    raised_at: Mapped[datetime] = mapped_column(default=now)
    cleared_at: Mapped[datetime | None]
    cleared_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))


class AdmissionReview(Base):
    """The review of one unplanned admission of a case-managed person (CM-9): one finding
    per sector (primary, secondary and social care)."""

    __tablename__ = "admission_review"
    __table_args__ = (UniqueConstraint("event_id", "sector"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("care_event.id"))
    nhs_number: Mapped[str] = mapped_column(String(10), index=True)
    sector: Mapped[str] = mapped_column(String(16))  # primary, secondary, social
    avoidable: Mapped[str] = mapped_column(String(8))  # yes, no, unsure
    reasons: Mapped[str] = mapped_column(Text, default="")  # comma-separated reason codes
    detail: Mapped[str] = mapped_column(Text, default="")
    actions: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    on: Mapped[date]
    at: Mapped[datetime] = mapped_column(default=now)


class Notification(Base):
    """A notice to a user that they have a new alert, written in the same transaction as
    the alert and delivered afterwards by a notifier (the outbox). It names no patient."""

    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_pending", "sent_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alert.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(default=now)
    sent_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
