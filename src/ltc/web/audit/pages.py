"""Pages for administrators: the audit viewer and the per-person access report (privacy;
no capability of its own).

Both show audit metadata only (who, whose NHS number, which route, when, whether
break-glass allowed it), never clinical data. The per-person report takes the NHS number
as a query parameter: it is not a person-data route (the administrator has no
relationship with the person and sees nothing of their record).
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Query, Request
from fastapi.responses import Response

from ltc.care.audit import services as audit
from ltc.care.auth import admin
from ltc.care.auth.models import ROLE_NAMES, Role
from ltc.care.auth.services import AuthError
from ltc.web.deps import Db, guarded_router
from ltc.web.pages import page
from ltc.web.policy import policy

router = guarded_router()
ROLES = {r.value: name for r, name in ROLE_NAMES.items()}
Typed = Annotated[str, Query(max_length=100)]
#: The newest rows the per-person report shows.
PERSON_LIMIT = 500


@router.get("/admin/audit")
@policy("signed_in", roles=(Role.ADMIN,))
def audit_viewer(request: Request, db: Db, username: Typed = "", nhs_number: Typed = "",
                 since: Typed = "", until: Typed = "",
                 before: Annotated[int | None, Query(ge=1)] = None) -> Response:
    typed = {"username": username, "nhs_number": nhs_number, "since": since,
             "until": until}
    check = audit.verify(db)
    try:
        wanted = admin.audit_filter(username, nhs_number, since, until)
    except AuthError as e:
        return page(request, "audit/audit.html.j2", status=422, title="Audit trail",
                    error=str(e), typed=typed, rows=[], names={}, roles=ROLES, check=check,
                    older=None, newest=None)
    rows, more = admin.audit_rows(db, wanted, before)
    query = wanted.query
    older = (f"/admin/audit?{urlencode(query | {'before': str(rows[-1].seq)})}"
             if more and rows else None)
    newest = f"/admin/audit?{urlencode(query)}" if before is not None else None
    return page(request, "audit/audit.html.j2", title="Audit trail", error=None, typed=typed,
                rows=rows, names=admin.display_names(db, (r.user_id for r in rows)),
                roles=ROLES, check=check, older=older, newest=newest)


@router.get("/admin/audit/person")
@policy("signed_in", roles=(Role.ADMIN,))
def person_report(request: Request, db: Db, nhs_number: Typed = "") -> Response:
    context: dict[str, Any] = {"title": "Access report", "typed": nhs_number, "nhs_number": None,
               "rows": [], "names": {}, "roles": ROLES, "error": None,
               "limit": PERSON_LIMIT}
    if not nhs_number.strip():
        return page(request, "audit/audit_person.html.j2", **context)
    try:
        wanted = admin.nhs_number_of(nhs_number)
    except AuthError as e:
        return page(request, "audit/audit_person.html.j2", status=422,
                    **(context | {"error": str(e)}))
    rows = audit.for_person(db, wanted, limit=PERSON_LIMIT)
    return page(request, "audit/audit_person.html.j2",
                **(context | {"nhs_number": wanted, "rows": rows,
                              "names": admin.display_names(db, (r.user_id for r in rows))}))
