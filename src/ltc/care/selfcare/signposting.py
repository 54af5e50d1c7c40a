"""Signposting to community and voluntary resources (SC-5): a resource found in the
directory (:class:`ltc.care.selfcare.catalogue.Directory`, searched by need and place) is
suggested to a person, and the suggestion is recorded with the resource's name and
contact as they were. Services never commit: the request owns the transaction.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from ltc.care.auth.models import User
from ltc.care.selfcare.catalogue import Directory
from ltc.care.selfcare.errors import SelfCareError, text
from ltc.care.selfcare.models import Suggestion


def suggest(session: Session, nhs_number: str, by: User, directory: Directory,
            resource: str, need: str = "", note: str = "",
            today: date | None = None) -> Suggestion:
    """Record that ``resource`` was suggested to the person (for ``need``, when the search
    named one)."""
    found = directory.by_id.get(resource)
    if found is None:
        raise SelfCareError(f"Resource (resource): {resource!r} is not in the directory "
                            f"({directory.where}). Search the directory and choose one.")
    if need and need not in directory.needs:
        raise SelfCareError(f"Need (need): {need!r} is not a need of the directory. Choose "
                            "one it lists, or leave it empty.")
    row = Suggestion(nhs_number=nhs_number, resource=found.id, resource_name=found.name,
                     contact=found.contact[:300], need=need, by=by.id,
                     note=text(note, "Note (note)", required=False),
                     on=today or date.today())
    session.add(row)
    session.flush()
    return row
