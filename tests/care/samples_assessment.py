"""The comprehensive assessment's person routes for the access and audit sweeps (CM-4):
the form, a first version saved through it, the API reading it and saving version 2 on
top of it, and the versions page."""

from __future__ import annotations

from typing import Any

from .care import IN_AREA

#: a first version through the form: the PHQ-2 in full and a note
FORM = {"based_on": "0", "phq2.item1": "1", "phq2.item2": "0",
        "physical": "Breathless on stairs"}
#: version 2 through the API, on top of version 1
BODY = {"answers": {"phq2": {"item1": 0, "item2": 0}},
        "notes": {"wishes": "To stay at home"}}


def samples(users: dict[str, int]) -> list[tuple[str, str, str, dict[str, Any]]]:
    return [
        ("GET", "/people/{nhs_number}/assessment", "page", {}),
        ("POST", "/people/{nhs_number}/assessment", "page", {"data": FORM}),
        ("GET", "/api/v1/people/{nhs_number}/assessment", "api", {}),
        ("PUT", "/api/v1/people/{nhs_number}/assessment", "api",
         {"json": BODY, "headers": {"If-Match": f'"{IN_AREA}-1"'}}),
        ("GET", "/people/{nhs_number}/assessment/versions", "page", {}),
    ]
