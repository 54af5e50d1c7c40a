"""Virtual wards (VW-1; privacy), on SQLite and PostgreSQL: admission refused when the
ward is full, when the person is already on a ward, registered elsewhere or the ward is
not the user's; one ward round per person per day (a second save updates it); discharge
with an outcome; a ward's staff see its people while they are on it; the default wards
per locality; the pages: the board (each person an audited list read), the round, the
occupancy page, making and changing a ward, "not found" for everyone outside the ward,
and markup typed into every free-text field shown as text."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from ltc.care import access
from ltc.care.audit.models import AuditEvent
from ltc.care.auth.models import User
from ltc.care.db import make_engine, sessions, unit_of_work
from ltc.care.events.models import CareEvent, InboundMessage
from ltc.care.wards import services
from ltc.care.wards.models import Ward, WardPractice, WardRound, WardStaff, WardStay

from ..care import IN_AREA, IN_AREA_2, OTHER_AREA, Community, db, signed_in
from ..samples_wards import make_ward

TODAY = date.today()
XSS = "<script>alert(1)</script><iframe src=x></iframe>"


def _user(s: Any, users: dict[str, int], name: str) -> User:
    user = s.get(User, users[name])
    assert user is not None
    return user


def test_admission_round_and_discharge(community: Community) -> None:
    ward_id = make_ward(community.url, community.users, capacity=1)
    engine = make_engine(community.url)
    factory = sessions(engine)
    with unit_of_work(factory) as s:
        matron = _user(s, community.users, "matron")
        gp2 = _user(s, community.users, "gp2")
        stay = services.admit(s, matron, IN_AREA, ward_id, TODAY - timedelta(days=2),
                              "discharge", "Home from hospital after a fall")
        assert (stay.source, stay.admitted_on) == ("discharge", TODAY - timedelta(days=2))
        refusals = [
            ((IN_AREA_2, ward_id, TODAY, "worklist", "x"), "is full: 1 of its 1 beds"),
            ((IN_AREA, ward_id, TODAY, "worklist", "x"), "already on Virtual ward L1"),
            ((IN_AREA_2, ward_id, TODAY, "walk-in", "x"), "How they come (source)"),
            ((IN_AREA_2, ward_id, TODAY + timedelta(days=1), "mdt", "x"), "in the future"),
            ((IN_AREA_2, ward_id, TODAY, "mdt", " "), "Reason (reason): this is empty"),
            ((IN_AREA_2, None, TODAY, "mdt", "x"), "Ward (ward_id)")]
        for args, message in refusals:
            with pytest.raises(services.WardError, match=message.replace("(", r"\(")
                               .replace(")", r"\)")):
                services.admit(s, matron, *args)
        with pytest.raises(services.WardError, match="choose a ward you work on"):
            services.admit(s, gp2, OTHER_AREA, ward_id, TODAY, "mdt", "x")
        ward = s.get(Ward, ward_id)
        assert ward is not None
        ward.capacity = 5
        with pytest.raises(services.WardError, match="registered with another practice"):
            services.admit(s, matron, OTHER_AREA, ward_id, TODAY, "mdt", "x")
        # one round a day: the second save updates it
        first = services.save_round(s, matron, ward, IN_AREA, "Tired", "", "")
        again = services.save_round(s, matron, ward, IN_AREA, "Brighter", "BP 130/80",
                                    "Visit at noon")
        assert first.id == again.id
        assert s.scalar(select(func.count()).select_from(WardRound)) == 1
        assert (again.notes, again.observations, again.plan) == ("Brighter", "BP 130/80",
                                                                 "Visit at noon")
        with pytest.raises(services.WardError, match="everything is empty"):
            services.save_round(s, matron, ward, IN_AREA, " ", "", "")
        with pytest.raises(services.NotFoundError):
            services.save_round(s, matron, ward, IN_AREA_2, "x", "", "")
        # ward staff see the people on the ward, and only while they are on it
        s.add(WardStaff(ward_id=ward_id, user_id=gp2.id))
        s.flush()
        assert access.access(s, gp2, IN_AREA).allowed
        assert not access.access(s, gp2, IN_AREA_2).allowed
        with pytest.raises(services.WardError, match="before the admission"):
            services.discharge(s, matron, IN_AREA, TODAY - timedelta(days=3), "died", "")
        with pytest.raises(services.WardError, match="Outcome"):
            services.discharge(s, matron, IN_AREA, TODAY, "recovered", "")
        done = services.discharge(s, matron, IN_AREA, TODAY, "to_caseload", "To the matron")
        assert (done.outcome, done.discharged_on, done.discharge_note) == (
            "to_caseload", TODAY, "To the matron")
        assert not access.access(s, gp2, IN_AREA).allowed
        with pytest.raises(services.WardError, match="not on a virtual ward"):
            services.discharge(s, matron, IN_AREA, TODAY, "died", "")
        services.admit(s, matron, IN_AREA, ward_id, TODAY, "referral", "Again")  # re-admitted
        assert s.scalar(select(func.count()).select_from(WardStay)) == 2
    engine.dispose()


def test_the_default_wards_are_one_per_locality(community: Community) -> None:
    engine = make_engine(community.url)
    with unit_of_work(sessions(engine)) as s:
        made = services.default_wards(s)
        assert [w.name for w in made] == ["Virtual ward L1", "Virtual ward L2"]
        practices = {w.name: services.practices_of(s, w) for w in made}
        assert practices == {"Virtual ward L1": ["P1"], "Virtual ward L2": ["P2"]}
        # L2's case manager is a care co-ordinator; L1 has only its matron
        assert [w.coordinator_id for w in made] == [community.users["matron"],
                                                    community.users["matron2"]]
        assert {w.capacity for w in made} == {40}
        assert services.default_wards(s) == []  # every locality has one: none more
        made[1].locality_code, made[1].name = "L9", "Elsewhere"  # L2 is left without one
        s.flush()
        assert [w.name for w in services.default_wards(s)] == ["Virtual ward L2"]
    engine.dispose()


def _ward_id(url: str) -> int:
    with db(url) as s:
        found = s.scalar(select(Ward.id).order_by(Ward.id.desc()))
    assert found is not None
    return found


def test_a_ward_over_http(app: Any, community: Community) -> None:
    admin = signed_in(app, "admin")
    r = admin.post("/wards", data={"name": "Virtual ward L1", "locality_code": "L1",
                                   "practices": "p1\n", "capacity": "2",
                                   "coordinator": community.users["matron"]},
                   follow_redirects=False)
    assert r.status_code == 303, r.text[-400:]
    ward = _ward_id(community.url)
    with db(community.url) as s:
        assert s.scalars(select(WardPractice.practice_code)).all() == ["P1"]
    refused = admin.post("/wards", data={"name": "Virtual ward L1", "locality_code": "L1",
                                         "practices": "P1"})
    assert refused.status_code == 422
    assert "already a ward called" in refused.text
    matron = signed_in(app, "matron")
    assert f'href="/wards/{ward}"' in matron.get("/wards").text
    r = matron.post(f"/people/{IN_AREA}/ward/admit",
                    data={"ward_id": ward, "admitted_on": TODAY.isoformat(),
                          "source": "worklist", "reason": XSS}, follow_redirects=False)
    assert r.headers["location"] == f"/people/{IN_AREA}/ward?note=admitted"
    page = matron.get(f"/people/{IN_AREA}/ward?note=admitted").text
    assert "Admitted to the ward." in page
    r = matron.post(f"/wards/{ward}/people/{IN_AREA}/round",
                    data={"notes": XSS, "observations": XSS, "plan": XSS},
                    follow_redirects=False)
    assert r.headers["location"] == f"/wards/{ward}?note=round#bed-{IN_AREA}"
    board = matron.get(f"/wards/{ward}")
    assert board.status_code == 200
    assert f'id="bed-{IN_AREA}"' in board.text
    assert "1 of 2 beds taken" in board.text
    for text in (board.text, matron.get(f"/people/{IN_AREA}/ward").text,
                 matron.get(f"/wards/{ward}/people/{IN_AREA}/round").text):
        assert "<script>alert(1)" not in text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    with db(community.url) as s:
        listed = s.scalars(select(AuditEvent.nhs_number).where(
            AuditEvent.action == "list", AuditEvent.what == f"GET /wards/{ward}")).all()
    assert listed == [IN_AREA]
    # outside the ward: not found (a GP of the practice, another locality's matron, another
    # practice's GP); no clinical role: refused
    for name in ("gp", "gp2", "matron2"):
        client = signed_in(app, name)
        for path in (f"/wards/{ward}", f"/wards/{ward}/occupancy",
                     f"/wards/{ward}/edit"):
            r = client.get(path)
            assert r.status_code in (403, 404), (name, path)
            assert IN_AREA not in r.text
            assert "943 476 5919" not in r.text
        assert client.get(f"/wards/{ward}").status_code == 404
        assert f'href="/wards/{ward}"' not in client.get("/wards").text
    for name in ("analyst", "admin"):
        assert signed_in(app, name).get(f"/wards/{ward}").status_code == 403
    # a member of the ward's staff (another practice's GP) runs it and sees its people
    r = admin.post(f"/wards/{ward}/edit",
                   data={"name": "Virtual ward L1", "locality_code": "L1", "practices": "P1",
                         "capacity": "2", "coordinator": community.users["matron"],
                         "staff": [community.users["gp2"]]}, follow_redirects=False)
    assert r.status_code == 303
    gp2 = signed_in(app, "gp2")
    assert f'id="bed-{IN_AREA}"' in gp2.get(f"/wards/{ward}").text
    assert gp2.get(f"/people/{IN_AREA}").status_code == 200
    r = matron.post(f"/people/{IN_AREA}/ward/discharge",
                    data={"discharged_on": TODAY.isoformat(), "outcome": "hospital",
                          "note": XSS}, follow_redirects=False)
    assert r.status_code == 303
    assert gp2.get(f"/people/{IN_AREA}").status_code == 404  # off the ward: not seen
    assert "Nobody is on the ward." in matron.get(f"/wards/{ward}").text
    figures = matron.get(f"/wards/{ward}/occupancy").text
    assert 'id="admissions">1<' in figures
    assert 'id="discharges">1<' in figures
    assert 'id="mean-los">0.0 days<' in figures  # admitted and discharged today
    history = matron.get(f"/people/{IN_AREA}/ward").text
    assert "Admitted to hospital" in history
    assert "<script>alert(1)" not in history
    summary = matron.get(f"/people/{IN_AREA}").text  # the timeline names the stay
    assert "Virtual ward admission" in summary
    assert "Virtual ward discharge" in summary
    # a full ward refuses with a clear message
    with unit_of_work(sessions(make_engine(community.url))) as s:
        w = s.get(Ward, ward)
        assert w is not None
        w.capacity = 1
    matron.post(f"/people/{IN_AREA}/ward/admit",
                data={"ward_id": ward, "admitted_on": TODAY.isoformat(), "source": "mdt",
                      "reason": "Again"})
    r = matron.post(f"/people/{IN_AREA_2}/ward/admit",
                    data={"ward_id": ward, "admitted_on": TODAY.isoformat(),
                          "source": "mdt", "reason": "Breathless"})
    assert r.status_code == 422
    assert "Virtual ward L1 is full: 1 of its 1 beds are taken" in r.text


def test_a_recent_hospital_discharge_suggests_a_step_down(app: Any,
                                                          community: Community) -> None:
    ward = make_ward(community.url, community.users)
    engine = make_engine(community.url)
    with unit_of_work(sessions(engine)) as s:
        assert services.suggested_source(s, IN_AREA) == "worklist"
        message = InboundMessage(feed="hl7v2", sender="PAS", status="applied", raw="-")
        s.add(message)
        s.flush()
        for nhs, days in ((IN_AREA, 3), (IN_AREA_2, 20)):  # the second: too long ago
            s.add(CareEvent(message_id=message.id, nhs_number=nhs, kind="discharge",
                            occurred_at=datetime.combine(TODAY - timedelta(days=days),
                                                         time(10))))
    with unit_of_work(sessions(engine)) as s:
        assert services.suggested_source(s, IN_AREA) == "discharge"
        assert services.suggested_source(s, IN_AREA_2) == "worklist"
    engine.dispose()
    matron = signed_in(app, "matron")
    page = matron.get(f"/people/{IN_AREA}/ward").text
    assert '<option value="discharge" selected>' in page
    assert f'<option value="{ward}">Virtual ward L1</option>' in page
