"""What an out-of-hours or ambulance clinician reads about a person (CM-5): read-only, from
what the care store already holds.

* the care plan's contingency section ("if things go wrong") and its carers, from the
  latest care plan version;
* the DNACPR status and where the signed form is kept (the plan's end-of-life section);
* the named contact (practice) and the named case manager, with the case manager's phone;
* the medicines issued recently (the current run's person activity);
* allergies: the record plane holds none (the Synthea allergies file is not loaded), so the
  summary says "None recorded in LTC" and never that the person has no allergies.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ltc.care.careplans import services as plans
from ltc.care.careplans.document import DNACPR, CarePlanDocument, CarerContact
from ltc.care.casemgmt.models import CaseManager
from ltc.care.casemgmt.services import named_case_manager
from ltc.care.contacts.services import contact_words
from ltc.care.people.activity import Medicine, medicines
from ltc.care.people.models import Person, PersonActivity
from ltc.care.people.services import current_run

NO_ALLERGIES_HELD = "None recorded in LTC (LTC does not hold allergies: check the GP record)"


@dataclass(frozen=True)
class Summary:
    person: Person
    plan: CarePlanDocument | None
    contingency: str
    carers: tuple[CarerContact, ...]
    dnacpr: str
    dnacpr_form_location: str
    named_contact: str
    case_manager: str
    case_manager_phone: str
    medicines: tuple[Medicine, ...]
    allergies: str = NO_ALLERGIES_HELD


def summary(session: Session, nhs_number: str) -> Summary | None:
    person = session.get(Person, nhs_number)
    if person is None:
        return None
    row = plans.PLANS.latest(session, nhs_number)
    doc = plans.document(session, row) if row is not None else None
    eol = doc.end_of_life if doc else None
    cm_user = named_case_manager(session, nhs_number)
    cm = session.get(CaseManager, cm_user.id) if cm_user else None
    run = current_run(session)
    stored = session.scalar(select(PersonActivity.medicines).where(
        PersonActivity.run_id == run.id, PersonActivity.nhs_number == nhs_number)) \
        if run else None
    return Summary(
        person=person, plan=doc,
        contingency=(doc.emergency_plan.strip() if doc else "") or "None recorded",
        carers=doc.carers if doc else (),
        dnacpr=DNACPR.get(eol.dnacpr, eol.dnacpr) if eol else DNACPR["none_recorded"],
        dnacpr_form_location=(eol.dnacpr_form_location.strip() if eol else ""),
        named_contact=contact_words(session, nhs_number),
        case_manager=cm_user.display_name if cm_user else "",
        case_manager_phone=(cm.phone or "") if cm else "",
        medicines=tuple(medicines(stored)))
