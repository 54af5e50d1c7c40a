"""The practice nurse and practice manager roles (DM-3, DM-4; privacy): an administrator
creates them with their practice (and not without one); like the GP they see only the
people registered with their practice; a nurse records clinical findings, a manager reads
a person's page but records no clinical finding (the same 404 as for anyone without the
right); a manager may not use break-glass access."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select

from ltc.care import access
from ltc.care.auth import services as auth
from ltc.care.auth.models import User
from ltc.care.work.models import Contact

from ..care import IN_AREA, OTHER_AREA, PASSWORD, Community, db, signed_in
from .team import add_team, signed_in_as

CONTACT = {"kind": "telephone", "on": date.today().isoformat(), "outcome": "Well"}


def test_an_administrator_creates_a_practice_nurse_and_manager_with_their_practice(
        app: Any, community: Community) -> None:
    admin = signed_in(app, "admin")
    form = admin.get("/admin/users/new").text
    assert 'value="practice_nurse"' in form
    assert 'value="practice_manager"' in form
    base = {"display_name": "New Person", "password": PASSWORD, "password_again": PASSWORD}
    for role in ("practice_nurse", "practice_manager"):
        r = admin.post("/admin/users", data=base | {"username": f"new_{role}", "role": role,
                                                    "practice_code": ""},
                       follow_redirects=False)
        assert r.status_code == 422
        assert "needs a practice code" in r.text
        r = admin.post("/admin/users", data=base | {"username": f"new_{role}", "role": role,
                                                    "practice_code": "P1"},
                       follow_redirects=False)
        assert r.status_code == 303, r.text[-500:]
    r = admin.post("/admin/users", data=base | {"username": "new_analyst", "role": "analyst",
                                                "practice_code": "P1"},
                   follow_redirects=False)
    assert r.status_code == 422
    assert "practice nurses and practice managers" in r.text
    with db(community.url) as s:
        made = {u.username: (u.role, u.practice_code)
                for u in s.scalars(select(User).where(User.username.like("new_%")))}
    assert made == {"new_practice_nurse": ("practice_nurse", "P1"),
                    "new_practice_manager": ("practice_manager", "P1")}
    assert signed_in(app, "new_practice_nurse").get("/", follow_redirects=False).headers[
        "location"] == "/worklist"
    assert signed_in(app, "new_practice_manager").get("/", follow_redirects=False).headers[
        "location"] == "/mdt"


def test_a_practice_role_without_a_practice_is_refused_by_the_service(
        community: Community) -> None:
    with db(community.url) as s:
        for role, words in (("practice_nurse", "A practice nurse needs a practice code."),
                            ("practice_manager", "A practice manager needs a practice code."),
                            ("practice_clinician",
                             "A practice clinician needs a practice code.")):
            with pytest.raises(auth.AuthError) as refused:
                auth.create_user(s, f"x_{role}", "X", role, PASSWORD)
            assert str(refused.value) == words


def test_nurses_and_managers_see_only_their_own_practice(app: Any,
                                                         community: Community) -> None:
    add_team(community.url, community.users)
    nurse, manager = signed_in(app, "nurse"), signed_in(app, "pm")
    for client in (nurse, manager):
        assert client.get(f"/people/{IN_AREA}").status_code == 200  # practice P1
        assert client.get(f"/people/{OTHER_AREA}").status_code == 404  # practice P2
    assert signed_in(app, "pm2").get(f"/people/{OTHER_AREA}").status_code == 200


def test_a_nurse_records_a_contact_and_a_manager_may_not(app: Any,
                                                         community: Community) -> None:
    add_team(community.url, community.users)
    nurse, manager = signed_in(app, "nurse"), signed_in_as(app, "pm", f"/people/{IN_AREA}")
    r = nurse.post(f"/people/{IN_AREA}/contacts", data=CONTACT, follow_redirects=False)
    assert r.status_code == 303
    r = manager.post(f"/people/{IN_AREA}/contacts", data=CONTACT, follow_redirects=False)
    assert r.status_code == 404  # as for anyone without the right
    with db(community.url) as s:
        assert s.scalar(select(func.count()).select_from(Contact)) == 1
    # the manager's person page shows no form for recording, the nurse's shows them all
    # (and the nurse may nominate someone for case management, as a GP may)
    actions = ("/contacts\"", "/tasks\"", "/referrals\"", "/survey\"", "/nominate\"",
               "/careplan\">")
    seen = manager.get(f"/people/{IN_AREA}").text
    assert "Contacts" in seen
    assert [a for a in actions if f'action="/people/{IN_AREA}{a}' in seen
            or f'href="/people/{IN_AREA}{a}' in seen] == []
    seen = nurse.get(f"/people/{IN_AREA}").text
    assert [a for a in actions if f'action="/people/{IN_AREA}{a}' in seen
            or f'href="/people/{IN_AREA}{a}' in seen] == list(actions)


def test_a_practice_manager_may_not_break_glass(app: Any, community: Community) -> None:
    add_team(community.url, community.users)
    with db(community.url) as s:
        manager = s.get(User, community.users["pm2"])
        nurse = s.get(User, community.users["nurse2"])
        assert manager is not None
        assert nurse is not None
        for user, allowed in ((nurse, True), (manager, False)):
            try:
                auth.break_glass(s, user, IN_AREA, "Seen in the emergency department today")
                made = True
            except auth.AuthError:
                made = False
            assert made is allowed, user.role
            assert access.access(s, user, IN_AREA).allowed is allowed, user.role
