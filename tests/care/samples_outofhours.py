"""The out-of-hours summary's person routes for the access and audit sweeps (CM-5): its
page and its FHIR document Bundle, read by the matron (a clinician)."""

from __future__ import annotations

from typing import Any


def samples(users: dict[str, int]) -> list[tuple[str, str, str, dict[str, Any]]]:
    return [
        ("GET", "/people/{nhs_number}/out-of-hours", "page", {}),
        ("GET", "/api/v1/people/{nhs_number}/out-of-hours", "api", {}),
    ]
