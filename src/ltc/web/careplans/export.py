"""The exports of one care plan version (CM-5; DM-3: the person's named contact is in
their copy; the carers in the contingency section and the end-of-life and advance care
planning section, issue 15 items 4 and 5): the person-readable page ("My care plan")
with its PDF copy for the person and every participant, rendered here in the web layer
from the care plan document (:class:`ltc.care.careplans.document.CarePlanDocument`, what
the plan holds); the FHIR R4 ``CarePlan`` for other systems is written by
:func:`ltc.interop.fhir.careplan.to_fhir`. The page's template is
``templates/careplan_person.html.j2`` beside this module.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import jinja2
import weasyprint  # type: ignore[import-untyped]

from ltc.care.careplans.document import CarePlanDocument
from ltc.interop.fhir.careplan import status_of, texts

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")

_env = jinja2.Environment(
    loader=jinja2.PackageLoader("ltc.web.careplans", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined)


def long_date(day: date) -> str:
    """A date as people write it, e.g. "3 March 2026" (no leading zero, month in full)."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def _title(doc: CarePlanDocument) -> str:
    return f"My care plan, version {doc.version}"


def _nhs_number_for_people(nhs_number: str) -> str:
    """``9434765919`` as ``943 476 5919``, the way it is printed on NHS letters."""
    digits = nhs_number.strip()
    if len(digits) == 10 and digits.isdigit():
        return f"{digits[:3]} {digits[3:6]} {digits[6:]}"
    return digits


def person_view(doc: CarePlanDocument, named_contact: str = "") -> dict[str, Any]:
    """What the person-readable page shows: plain values, dates already in words;
    ``named_contact`` is the person's named clinician at their practice (DM-3), in words."""
    status = status_of(doc)
    return {
        "title": _title(doc),
        "nhs_number": _nhs_number_for_people(doc.nhs_number),
        "date_of_birth": long_date(doc.date_of_birth) if doc.date_of_birth else None,
        "version": doc.version,
        "status": status.words,
        "agreed_on": long_date(doc.agreed_on) if doc.agreed_on else "Not agreed yet",
        "review_date": long_date(doc.review_date) if doc.review_date else "No date set yet",
        "case_manager": doc.case_manager.strip() or "Not named yet",
        "named_contact": named_contact.strip() or "Not named yet",
        "author": doc.author.strip(),
        "written_on": long_date(doc.created_at),
        "goals": texts(doc.goals),
        "needs": texts(doc.needs),
        "contribution": doc.person_contribution.strip(),
        "actions": [{"who": a.who.strip(), "agency": a.agency.strip(), "what": a.what.strip(),
                     "by": long_date(a.by) if a.by else "No date set",
                     "assignee": a.assignee.strip(), "status": a.status}
                    for a in doc.actions],
        "prevention": texts(doc.prevention),
        "emergency_plan": doc.emergency_plan.strip(),
        "participants": texts(doc.participants),
        "carers": [{"line": c.line(), "main": c.main_carer, "address": c.address.strip(),
                    "assessment": c.assessment_words(long_date),
                    "from_assessment": c.from_assessment} for c in doc.carers],
        "end_of_life": doc.end_of_life.lines(),
    }


def to_html(doc: CarePlanDocument, named_contact: str = "") -> str:
    """The person-readable page "My care plan": a complete HTML document, ready to print."""
    return _env.get_template("careplan_person.html.j2").render(
        person_view(doc, named_contact))


def to_pdf(doc: CarePlanDocument, named_contact: str = "") -> bytes:
    """The person-readable page as a PDF copy (A4), titled in its metadata."""
    document = weasyprint.HTML(string=to_html(doc, named_contact)).render()
    document.metadata.title = _title(doc)
    pdf: bytes = document.write_pdf()
    return pdf
