"""Who may see a person's social care on the person page and in the API's person summary
(POP-2 linked records, CM-5 person summary).

Social care records are shared with those who give the person care: the clinicians (case
managers, GPs and practice nurses) and the wider integrated team (community nurses,
social workers, allied health professionals, mental health and palliative care nurses),
so health and social care see the same picture (MODEL.md principles). A practice manager
runs the practice's MDT meetings and named-contact allocations but gives no care: the
packages a person receives and their assessments are not needed for that, so they are
not shown to them (Caldicott principle 3, "use the minimum necessary", The Caldicott
Principles, National Data Guardian, December 2020). Analysts, administrators and system
accounts read no person's record at all."""

from __future__ import annotations

from ltc.care.auth.models import WIDER_TEAM, Role

#: the roles that may see a person's social care (the reason is above)
SOCIAL_CARE_READERS: tuple[Role, ...] = (
    Role.CASE_MANAGER, Role.PRACTICE_CLINICIAN, Role.PRACTICE_NURSE, *WIDER_TEAM)


def may_see(role: str | None) -> bool:
    """Whether a user of ``role`` may see a person's social care."""
    return role in SOCIAL_CARE_READERS
