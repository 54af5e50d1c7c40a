"""The ambulance incident feed: reading incidents (JSON and CSV, each problem naming the
file, the line and the field), and ``POST /api/v1/feeds/ambulance`` and ``ltc feeds
ambulance`` on both databases: a call without conveyance for a person with a long term
condition alerts their practice, three calls in 90 days flag a frequent caller once, a
CSV file with a bad line applies nothing and is quarantined once, an unknown person waits
in the review queue, and only an interface user may post (DM-5)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from ltc.care.auth.models import User
from ltc.care.events import rules as alert_rules
from ltc.care.events.feed import FeedError
from ltc.care.events.models import Alert, Flag, InboundMessage, Notification
from ltc.cli.feeds import feeds_app
from ltc.interop import ambulance, feeds

from ..care import IN_AREA, MISSING, Community, api_client, db, seed
from . import counts, interface_client

HEADER = "incident_id,nhs_number,call_time,outcome"


def incident(incident_id: str = "INC-1", nhs_number: str | None = IN_AREA,
             call_time: str = "2026-03-01T09:15:00Z", outcome: str = "see_and_treat",
             **extra: Any) -> dict[str, Any]:
    return {"incident_id": incident_id, "nhs_number": nhs_number, "call_time": call_time,
            "outcome": outcome} | extra


def refused(value: dict[str, Any] | str) -> FeedError:
    with pytest.raises(FeedError) as caught:
        ambulance.read(value if isinstance(value, str) else json.dumps(value))
    return caught.value


# -- reading ----------------------------------------------------------------------------
def test_an_incident_maps_to_an_event() -> None:
    event = ambulance.read(json.dumps(incident(call_time="2026-03-01T10:15:00+01:00",
                                               nhs_number="943 476 5919")))
    assert (event.feed, event.kind, event.conveyed) == ("ambulance", "ambulance", False)
    assert (event.nhs_number, event.occurred_at) == (IN_AREA, datetime(2026, 3, 1, 9, 15))
    assert (event.sender, event.control_id, event.spell_id) == ("ambulance", "INC-1",
                                                                "INC-1")
    conveyed = ambulance.read(json.dumps(incident(outcome="conveyed", service="NWAS")))
    assert (conveyed.conveyed, conveyed.sender) == (True, "NWAS")
    assert ambulance.read(json.dumps(incident(nhs_number=""))).nhs_number is None


def test_a_bad_incident_names_the_field() -> None:
    assert refused(incident(outcome="taken")).reason.startswith("field outcome: 'taken'")
    assert refused(incident(call_time="2026-03-01")).reason.startswith("field call_time:")
    assert refused(incident(call_time="soon")).reason.startswith("field call_time:")
    assert refused(incident(colour="red")).reason.startswith("field colour:")
    assert refused(incident(incident_id="")).reason.startswith("field incident_id:")
    assert refused({"incident_id": "X"}).reason == "field nhs_number: is missing"
    assert refused(incident(nhs_number=9434765919)).reason.startswith("field nhs_number:")
    assert IN_AREA not in refused(incident(nhs_number=[IN_AREA])).reason
    assert refused("[]").code == "AE"
    assert refused("{").code == "AE"


def test_a_csv_file_is_read_with_its_lines() -> None:
    text = (f"{HEADER},service\r\nA1,{IN_AREA},2026-03-01T09:15:00Z,conveyed,\r\n\r\n"
            f'"A2",{MISSING},2026-03-02T09:15:00Z,hear_and_treat,NWAS\r\n')
    rows = ambulance.read_csv(text, "calls.csv")
    assert [line for line, _ in rows] == [2, 4]
    assert json.loads(rows[1][1]) == incident("A2", MISSING, "2026-03-02T09:15:00Z",
                                              "hear_and_treat", service="NWAS")
    assert "service" not in json.loads(rows[0][1])


def test_every_problem_of_a_csv_file_is_listed() -> None:
    text = (f"{HEADER}\nA1,{IN_AREA},2026-03-01T09:15:00Z,conveyed\n"
            f"A2,{IN_AREA},2026-03-02T09:15:00Z,carried\n"
            f"A3,{IN_AREA},2026-03-03,conveyed\nA4,{IN_AREA}\n")
    with pytest.raises(ambulance.FileError) as caught:
        ambulance.read_csv(text, "calls.csv")
    problems = caught.value.problems
    assert len(problems) == 3
    assert problems[0].startswith("calls.csv, line 3, field outcome: 'carried' is not an "
                                  "outcome; expected one of")
    assert problems[1].startswith("calls.csv, line 4, field call_time:")
    assert problems[2].startswith("calls.csv, line 5: 2 values; expected 4")
    with pytest.raises(ambulance.FileError) as header:
        ambulance.read_csv("incident,nhs_number,call_time,outcome\n", "calls.csv")
    assert header.value.problems == [
        "calls.csv, line 1 (the header), field incident: is not a column of the ambulance "
        "feed; expected incident_id, nhs_number, call_time, outcome and optionally service",
        "calls.csv, line 1 (the header), field incident_id: the column is missing"]
    with pytest.raises(ambulance.FileError):
        ambulance.read_csv("", "calls.csv")


def test_a_json_file_names_the_line_of_each_problem() -> None:
    text = json.dumps([incident("A1"), incident("A2", outcome="gone")], indent=2)
    with pytest.raises(ambulance.FileError) as caught:
        ambulance.read_json(text, "calls.json")
    assert caught.value.problems[0].startswith(
        "calls.json, line 8 (incident 2), field outcome: 'gone'")
    assert [n for n, _ in ambulance.read_json(json.dumps([incident()]), "calls.json")] == [1]


# -- the endpoint -----------------------------------------------------------------------
def _post(client: Any, body: Any, csv_name: str | None = None) -> Any:
    if csv_name is not None:
        return client.post(f"/api/v1/feeds/ambulance?filename={csv_name}", content=body,
                           headers={"Content-Type": "text/csv"})
    return client.post("/api/v1/feeds/ambulance", json=body)


def test_a_call_without_conveyance_alerts_the_practice(app: object,
                                                       community: Community) -> None:
    client = interface_client(app, community)
    r = _post(client, incident())
    assert r.status_code == 201, r.text
    assert r.json() == {"applied": 1, "duplicate": 0, "unmatched": 0, "quarantined": 0,
                        "problems": []}
    with db(community.url) as s:
        alert = s.scalars(select(Alert)).one()
        assert (alert.kind, alert.practice_code, alert.nhs_number) == (
            "ambulance_not_conveyed", "P1", IN_AREA)
        told = s.scalars(select(Notification.user_id)).all()
        assert told == [community.users["gp"]]
    again = _post(client, incident())
    assert again.status_code == 200
    assert again.json()["duplicate"] == 1
    assert counts(community.url)["alerts"] == 1


def test_a_conveyed_call_makes_no_alert(app: object, community: Community) -> None:
    client = interface_client(app, community)
    r = _post(client, incident(outcome="conveyed"))
    assert r.status_code == 201, r.text
    after = counts(community.url)
    assert (after["events"], after["alerts"]) == (1, 0)


def test_a_lone_surrogate_escape_is_kept_as_the_replacement_character(
        app: object, community: Community) -> None:
    """JSON may carry "\\ud800", which is not UTF-8: the store keeps U+FFFD instead."""
    client = interface_client(app, community)
    body = json.dumps(incident(incident_id="INC-\ud800", service="NW\udfffAS"))
    assert "\\ud800" in body  # escaped, as JSON allows
    r = client.post("/api/v1/feeds/ambulance", content=body,  # type: ignore[attr-defined]
                    headers={"Content-Type": "application/json"})
    assert r.status_code == 201, r.text
    with db(community.url) as s:
        message = s.scalars(select(InboundMessage)).one()
        assert (message.control_id, message.sender) == ("INC-\ufffd", "NW\ufffdAS")


def test_advice_by_telephone_is_a_call_but_not_an_attendance(app: object,
                                                              community: Community) -> None:
    """Hear and treat: no crew attended, so there is no 'not taken to hospital' alert; the
    call still counts towards a frequent caller."""
    assert ambulance.read(json.dumps(incident(outcome="hear_and_treat"))).conveyed is None
    client = interface_client(app, community)
    calls = [incident(f"H{i}", call_time=f"2026-03-0{i}T09:00:00Z", outcome="hear_and_treat")
             for i in (1, 2, 3)]
    r = _post(client, calls)
    assert r.status_code == 201, r.text
    with db(community.url) as s:
        kinds = [a.kind for a in s.scalars(select(Alert))]
        assert "ambulance_not_conveyed" not in kinds
        assert [f.kind for f in s.scalars(select(Flag))] == ["frequent_caller"]


def test_three_calls_in_90_days_flag_a_frequent_caller_once(app: object,
                                                            community: Community) -> None:
    client = interface_client(app, community)
    calls = [incident(f"C{i}", call_time=f"2026-0{i}-01T09:00:00Z", outcome="conveyed")
             for i in (1, 2, 3, 4)]
    r = _post(client, calls[:2])
    assert r.status_code == 201, r.text
    with db(community.url) as s:
        assert s.scalars(select(Flag)).all() == []
    assert _post(client, calls[2]).status_code == 201
    with db(community.url) as s:
        flag = s.scalars(select(Flag)).one()
        assert (flag.kind, flag.nhs_number) == ("frequent_caller", IN_AREA)
        assert [a.practice_code for a in s.scalars(select(Alert).where(
            Alert.kind == "frequent_caller"))] == ["P1"]
    assert _post(client, calls[3]).status_code == 201
    with db(community.url) as s:
        assert len(s.scalars(select(Flag)).all()) == 1
        assert len(s.scalars(select(Alert).where(Alert.kind == "frequent_caller")).all()) == 1


def test_a_csv_file_with_a_bad_line_applies_nothing(app: object,
                                                    community: Community) -> None:
    client = interface_client(app, community)
    text = (f"{HEADER}\nB1,{IN_AREA},2026-03-01T09:15:00Z,see_and_treat\n"
            f"B2,{IN_AREA},2026-03-02T09:15:00Z,bad_outcome\n"
            f"B3,{IN_AREA},2026-03-03T09:15:00Z,conveyed\n")
    before = counts(community.url)
    r = _post(client, text, "calls.csv")
    assert r.status_code == 422, r.text
    body = r.json()
    assert (body["applied"], body["quarantined"]) == (0, 1)
    assert len(body["problems"]) == 1
    assert body["problems"][0].startswith("calls.csv, line 3, field outcome: 'bad_outcome'")
    after = counts(community.url)
    assert after == before | {"messages": before["messages"] + 1}
    with db(community.url) as s:
        kept = s.scalars(select(InboundMessage)).one()
        assert (kept.status, kept.feed, kept.raw) == ("quarantined", "ambulance", text)
        assert "calls.csv, line 3, field outcome" in kept.problem
    good = text.replace("bad_outcome", "hear_and_treat")
    done = _post(client, good, "calls.csv")
    assert done.status_code == 201, done.text
    assert done.json()["applied"] == 3
    assert counts(community.url)["events"] == 3


def test_an_unknown_person_waits_in_the_review_queue(app: object,
                                                     community: Community) -> None:
    client = interface_client(app, community)
    r = _post(client, [incident("U1", MISSING), incident("U2", IN_AREA)])
    assert r.status_code == 201, r.text
    assert (r.json()["unmatched"], r.json()["applied"]) == (1, 1)
    with db(community.url) as s:
        waiting = s.scalars(select(InboundMessage).where(
            InboundMessage.status == "unmatched")).one()
        assert (waiting.feed, waiting.control_id, waiting.nhs_number) == (
            "ambulance", "U1", MISSING)
        matron = s.get(User, community.users["matron"])
        assert matron is not None
        done = feeds.match_by_hand(s, alert_rules.load(), waiting.id, IN_AREA, matron)
        assert done.status == "applied"
        s.commit()
    assert counts(community.url)["events"] == 2


def test_a_bad_single_incident_is_quarantined(app: object, community: Community) -> None:
    client = interface_client(app, community)
    r = _post(client, incident(call_time="yesterday"))
    assert r.status_code == 422, r.text
    assert r.json()["problems"][0].startswith("field call_time:")
    with db(community.url) as s:
        assert s.scalars(select(InboundMessage.status)).all() == ["quarantined"]
    assert counts(community.url)["events"] == 0
    plain = client.post("/api/v1/feeds/ambulance", content="x",
                        headers={"Content-Type": "text/plain"})
    assert plain.status_code == 415


def test_only_an_interface_user_posts(app: object, community: Community) -> None:
    matron = api_client(app, "matron")
    assert _post(matron, incident()).status_code == 403
    assert _post(matron, f"{HEADER}\n", "calls.csv").status_code == 403
    client = interface_client(app, community)
    assert client.get(f"/api/v1/people/{IN_AREA}").status_code == 404
    assert client.get("/api/v1/worklist").status_code == 403
    assert client.get("/api/v1/workforce").status_code == 403
    assert counts(community.url)["messages"] == 0


# -- the command ------------------------------------------------------------------------
def test_the_command_applies_a_file_whole_or_not_at_all(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch
                                                        ) -> None:
    monkeypatch.delenv("LTC_CARE_DATABASE_URL", raising=False)
    url = f"sqlite:///{(tmp_path / 'care.db').resolve()}"
    from ltc.care.db import upgrade

    upgrade(url)
    seed(url)
    bad = tmp_path / "calls.csv"
    bad.write_text(f"{HEADER}\nD1,{IN_AREA},2026-03-01T09:15:00Z,conveyed\n"
                   f"D2,{IN_AREA},2026-03-02T09:15:00Z,flown\n")
    runner = CliRunner()
    refused_run = runner.invoke(feeds_app, ["ambulance", str(bad), "--data-dir",
                                            str(tmp_path)])
    assert refused_run.exit_code == 1
    assert "calls.csv, line 3, field outcome" in refused_run.output
    assert counts(url)["messages"] == 0
    bad.write_text(bad.read_text().replace("flown", "see_and_treat"))
    done = runner.invoke(feeds_app, ["ambulance", str(bad), "--data-dir", str(tmp_path)])
    assert done.exit_code == 0, done.output
    assert "Applied 2" in done.output
    assert counts(url)["events"] == 2
    assert counts(url)["alerts"] == 1  # the call without conveyance
