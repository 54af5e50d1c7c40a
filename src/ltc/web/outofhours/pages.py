"""The out-of-hours summary (CM-5): a read-only page and a FHIR R4 document Bundle for
out-of-hours and ambulance clinicians (through break-glass access only: their role has
no other relationship with anyone) and for the clinicians. Each read is audited by the
person policy, the break-glass flag on the row when that is how access was given."""

from __future__ import annotations

from fastapi import HTTPException, Request
from fastapi.responses import JSONResponse, Response

from ltc.care.auth.models import Role
from ltc.care.outofhours.summary import Summary, summary
from ltc.web.deps import Db, guarded_router
from ltc.web.outofhours import fhir
from ltc.web.pages import page
from ltc.web.policy import CLINICIANS, policy

router = guarded_router()
api = guarded_router()
#: who reads the summary: out-of-hours and ambulance clinicians and the clinicians
READERS = (Role.OUT_OF_HOURS, *CLINICIANS)


def _summary(db: Db, nhs_number: str) -> Summary:
    found = summary(db, nhs_number)
    if found is None:
        raise HTTPException(404, "There is no such person.")
    return found


@router.get("/people/{nhs_number}/out-of-hours")
@policy("person", roles=READERS)
def out_of_hours_page(request: Request, nhs_number: str, db: Db) -> Response:
    return page(request, "outofhours/summary.html.j2", title="Out-of-hours summary",
                s=_summary(db, nhs_number))


@api.get("/people/{nhs_number}/out-of-hours")
@policy("person", roles=READERS)
def out_of_hours_fhir(nhs_number: str, db: Db) -> Response:
    return JSONResponse(fhir.bundle(_summary(db, nhs_number)),
                        media_type="application/fhir+json")
