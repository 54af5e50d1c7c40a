"""Integrated care co-ordination's person routes for the access and audit sweeps (VW-2,
POP-5): a referral to the locality's co-ordinators (by the matron, from the hidden
populations page), its acceptance, a contact attempt, and the co-designed assessment's
form, a response saved through it and the responses page."""

from __future__ import annotations

from typing import Any


def samples(users: dict[str, int]) -> list[tuple[str, str, str, dict[str, Any]]]:
    return [
        ("POST", "/people/{nhs_number}/coordination/referral", "page",
         {"data": {"source": "hidden_population", "reason": "Hidden: level 3, not known"}}),
        ("POST", "/people/{nhs_number}/coordination/referral/status", "page",
         {"data": {"status": "accepted"}}),
        ("POST", "/people/{nhs_number}/coordination/attempts", "page",
         {"data": {"at": "2025-04-02T10:30", "method": "phone", "outcome": "no_answer"}}),
        ("GET", "/people/{nhs_number}/assessment/codesigned", "page", {}),
        ("POST", "/people/{nhs_number}/assessment/codesigned", "page",
         {"data": {"falls": "yes", "what_matters": "Staying at home"}}),
        ("GET", "/people/{nhs_number}/assessment/codesigned/responses", "page", {}),
    ]
