"""What the pages and JSON API of every versioned document (CM-4 assessments, CM-5 care
plans) share, over :class:`ltc.care.documents.Documents`:

* the API: the latest version with its ``ETag`` (404 before the first), and a save that
  needs ``If-Match`` naming the version edited (428 without it, 412 for an ETag that is
  not this person's, 412 with the newer version when it is stale);
* the pages: the version a form was based on, the redirect after a save, and the
  comparison of two versions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import HTTPException
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from ltc.care.documents import Documents, DocumentVersion, StaleVersion

V = TypeVar("V", bound=DocumentVersion)


def latest_response(docs: Documents[V], db: Session, nhs_number: str,
                    out: Callable[[V], dict[str, Any]]) -> Response:
    """The latest version as JSON (``out``) with its ETag; 404 before the first."""
    row = docs.latest(db, nhs_number)
    if row is None:
        raise HTTPException(404, f"There is no {docs.noun} for this person yet.")
    return JSONResponse(out(row), headers={"ETag": docs.etag(row)})


def based_on(docs: Documents[V], nhs_number: str, if_match: str | None) -> int:
    """The version an ``If-Match`` header names: 428 without one, 412 for one that is not
    an ETag of this person's document."""
    if not if_match:
        raise HTTPException(428, "Send If-Match with the ETag of the version you edited "
                                 f'("none-0" for a first {docs.noun}).')
    number = docs.based_on(nhs_number, if_match)
    if number is None:
        raise HTTPException(412, f"If-Match {if_match!r} is not an ETag of this person's "
                                 f"{docs.noun}.")
    return number


def put_response(docs: Documents[V], nhs_number: str, if_match: str | None,
                 save: Callable[[int], V], out: Callable[[V], dict[str, Any]]) -> Response:
    """Save a new version through ``save(based_on)``: 200 with the saved version and its
    ETag, or 412 with the newer version and its ETag when the one edited is stale. The
    kind's other errors propagate, for the caller to answer."""
    number = based_on(docs, nhs_number, if_match)
    try:
        row = save(number)
    except StaleVersion as stale:
        return JSONResponse({"detail": str(stale), "latest": out(stale.latest)},
                            status_code=412, headers={"ETag": docs.etag(stale.latest)})
    return JSONResponse(out(row), status_code=200, headers={"ETag": docs.etag(row)})


def form_based_on(form: Any) -> int:
    """The version a form was based on (its ``based_on`` field); -1 when it is not a
    number, which no version is."""
    try:
        return int(str(form.get("based_on", "0")))
    except ValueError:
        return -1


def saved_redirect(nhs_number: str, path: str, row: DocumentVersion) -> Response:
    """After a save: to the versions page (``path``: ``careplan``, ``assessment``)."""
    return RedirectResponse(f"/people/{nhs_number}/{path}/versions?saved={row.version}",
                            status_code=303)


def comparison(docs: Documents[V], db: Session, nhs_number: str, a: int | None,
               b: int | None) -> list[tuple[str, str]] | None:
    """Versions ``a`` and ``b`` compared line by line (None unless both are asked for);
    404 when either is not there."""
    if a is None or b is None:
        return None
    va, vb = docs.version(db, nhs_number, a), docs.version(db, nhs_number, b)
    if va is None or vb is None:
        raise HTTPException(404, f"There is no such version of this {docs.noun}.")
    return docs.compare(va, vb)
