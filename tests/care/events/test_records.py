"""Events received in real time reach the record plane: admissions, discharges, a
cancelled admission, ambulance incidents and an emergency attendance become rows of the
source ``realtime``; exporting again changes nothing; stratification counts them."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from ltc.care.db import make_engine, sessions, unit_of_work, upgrade
from ltc.care.events import services as events
from ltc.care.events.feed import Event
from ltc.care.events.models import Alert, CareEvent, InboundMessage
from ltc.care.events.records import Exported, export
from ltc.care.events.rules import load
from ltc.care.people.models import Person, PersonResult, StratRun
from ltc.cli.events import events_app, read_messages
from ltc.interop import feeds
from ltc.interop.details import stated
from ltc.interop.hl7v2 import adt
from ltc.pipeline import features
from ltc.records.store import RecordStore, hash_files
from ltc.synth.generate import Options, write_store

from .listening import listening, populate

AS_OF = date(2025, 7, 31)
RULES = load()


@dataclass(frozen=True)
class Template:
    records: Path  # a small synthetic record store, copied for each test
    people: list[str]  # three people alive on AS_OF
    emergency: dict[str, int]  # their emergency admissions in 12 months before any export


def emergency_12m(store: RecordStore, people: list[str]) -> dict[str, int]:
    table = features.features(store.connect(), AS_OF).select(
        "nhs_number", "emergency_12m").to_pyarrow()
    found = table.filter(pc.is_in(table["nhs_number"], pa.array(people)))
    return dict(zip(found["nhs_number"].to_pylist(), found["emergency_12m"].to_pylist(),
                    strict=True))


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    root = tmp_path_factory.mktemp("records")
    store = RecordStore(root / "records")
    write_store(store, Options(people=300, seed=11))
    person = store.arrow("person")
    alive = person.filter(pc.and_(pc.is_null(person["date_of_death"]),
                                  pc.less(person["date_of_birth"], date(1960, 1, 1))))
    people = sorted(alive["nhs_number"].to_pylist())[:3]
    return Template(root / "records", people, emergency_12m(store, people))


@pytest.fixture
def data_dir(template: Template, tmp_path: Path) -> Path:
    shutil.copytree(template.records, tmp_path / "data" / "records")
    return tmp_path / "data"


def seed_people(url: str, people: list[str]) -> None:
    with unit_of_work(sessions(make_engine(url))) as s:
        s.add(StratRun(id="run-0001", as_of=date(2025, 3, 31), people=len(people),
                       current=True))
        s.flush()
        for nhs in people:
            s.add(Person(nhs_number=nhs, date_of_birth=date(1940, 1, 1), sex="F",
                         practice_code="P1", locality_code="L1"))
            s.add(PersonResult(run_id="run-0001", nhs_number=nhs, level=3, locality_code="L1",
                               practice_code="P1", level_basis="test", risk=0.5,
                               ltc_count=2, registers="copd"))


def receive(s: Session, raw: str) -> None:
    outcome = feeds.receive(s, RULES, "hl7v2", raw)
    assert outcome.status == "applied", outcome.problem


def ambulance(s: Session, nhs: str, control: str, at: datetime, conveyed: bool | None,
              incident: str | None = None, raw: str = "{}") -> None:
    event = Event(feed="ambulance", sender="CAD^RX9", control_id=control,
                  message_type="incident", kind="ambulance", nhs_number=nhs, occurred_at=at,
                  spell_id=incident, conveyed=conveyed)
    assert events.apply(s, RULES, event, raw).status == "applied"


def fhir_attendance(s: Session, nhs: str, control: str, at: datetime, cls: str) -> None:
    event = Event(feed="fhir", sender="https://pas.example", control_id=control,
                  message_type="Encounter", kind="attendance", nhs_number=nhs, occurred_at=at,
                  spell_id=control)
    raw = json.dumps({"resourceType": "Encounter", "id": control, "status": "arrived",
                      "class": {"code": cls}})
    assert events.apply(s, RULES, event, raw).status == "applied"


def realtime(store: RecordStore, name: str, columns: list[str]) -> set[tuple[object, ...]]:
    rows = store.arrow(name)
    mine = rows.filter(pc.equal(rows["_source"], "realtime"))
    return {tuple(r[c] for c in columns) for r in mine.to_pylist()}


def run(url: str, data_dir: Path, today: date = AS_OF) -> Exported:
    with unit_of_work(sessions(make_engine(url))) as s:
        return export(s, data_dir, today, stated)


@pytest.fixture
def applied(care_url: str, template: Template) -> str:
    """The three people, and what happened to them in May to July 2025 (one event dated
    after AS_OF)."""
    a, b, c = template.people
    seed_people(care_url, template.people)
    with unit_of_work(sessions(make_engine(care_url))) as s:
        receive(s, adt.message("A01", "M1", a, datetime(2025, 5, 10, 10), spell_id="S1"))
        receive(s, adt.message("A03", "M2", a, datetime(2025, 5, 14, 16), spell_id="S1"))
        receive(s, adt.message("A01", "M3", b, datetime(2025, 5, 20, 9), spell_id="S2"))
        receive(s, adt.message("A11", "M4", b, datetime(2025, 5, 20, 11), spell_id="S2"))
        receive(s, adt.message("A01", "M5", a, datetime(2025, 6, 28, 22), spell_id="S3",
                               admission_type="2A"))
        receive(s, adt.message("A03", "M6", a, datetime(2025, 7, 2, 12), spell_id="S3",
                               died=False))
        receive(s, adt.message("A01", "M7", c, datetime(2025, 6, 30, 8), spell_id="S4",
                               admission_type="E"))  # HL7 0007: an emergency, no method
        receive(s, adt.message("A01", "M8", b, datetime(2025, 7, 1, 8), spell_id="S5",
                               admission_type="11"))
        receive(s, adt.message("A04", "M9", c, datetime(2025, 6, 29, 23), spell_id="V1"))
        receive(s, adt.message("A08", "M10", c, datetime(2025, 6, 30, 9)))
        receive(s, adt.message("A01", "M11", b, datetime(2025, 8, 3, 8), spell_id="S6"))
        ambulance(s, c, "AMB1", datetime(2025, 6, 29, 21), conveyed=False, incident="I1")
        ambulance(s, b, "AMB2", datetime(2025, 7, 4, 7), conveyed=True)
        ambulance(s, b, "AMB3", datetime(2025, 7, 5, 7), conveyed=None, incident="I3")
        ambulance(s, a, "AMB4", datetime(2025, 7, 6, 7), conveyed=False, incident="I4",
                  raw='{"incident_id": "I4", "outcome": "hear_and_treat"}')
        outpatient = adt.message("A04", "M12", a, datetime(2025, 7, 8, 9), spell_id="V2")
        receive(s, outpatient.replace("PV1|1|E|", "PV1|1|O|"))
        fhir_attendance(s, b, "E1", datetime(2025, 7, 9, 1), "EMER")
        fhir_attendance(s, b, "E2", datetime(2025, 7, 10, 1), "OBSENC")
    return care_url


def test_events_become_rows_of_the_record_plane_once(applied: str, data_dir: Path,
                                                      template: Template) -> None:
    a, b, c = template.people
    store = RecordStore(data_dir / "records")
    others = {name: store.arrow(name).num_rows
              for name in ("inpatient_spell", "ambulance_incident", "ae_attendance")}

    done = run(applied, data_dir)

    assert realtime(store, "inpatient_spell", [
        "nhs_number", "record_id", "admission_date", "discharge_date", "admission_method",
        "discharge_destination", "length_of_stay", "_period"]) == {
        (a, "RXX:S1", date(2025, 5, 10), date(2025, 5, 14), "21", None, 4, "2025-05"),
        (a, "RXX:S3", date(2025, 6, 28), date(2025, 7, 2), "2A", None, 4, "2025-07"),
        (c, "RXX:S4", date(2025, 6, 30), None, "2D", None, None, "2025-06"),
        (b, "RXX:S5", date(2025, 7, 1), None, "11", None, None, "2025-07"),
    }  # S2 was cancelled (A11); S6 is after the day of the export
    assert realtime(store, "ambulance_incident",
                    ["nhs_number", "record_id", "date", "outcome", "conveyed"]) == {
        (c, "RX9:I1", date(2025, 6, 29), "see_and_treat", False),
        (b, "RX9:message:AMB2", date(2025, 7, 4), "conveyed", True),
        (a, "RX9:I4", date(2025, 7, 6), "hear_and_treat", False),  # as the feed said
    }  # AMB3: conveyance not known
    assert realtime(store, "ae_attendance", ["nhs_number", "record_id", "date"]) == {
        (c, "RXX:V1", date(2025, 6, 29)), (b, "https://pas.example:E1", date(2025, 7, 9))}
    for name, count in others.items():  # the extracts' rows are all still there
        stored = store.arrow(name)
        assert pc.sum(pc.not_equal(stored["_source"], "realtime")).as_py() == count
    assert done.rows == {"inpatient_spell": 4, "ae_attendance": 2, "ambulance_incident": 3}
    assert [(r.batch, r.status) for r in done.batches] == [
        ("realtime/2025-05", "added"), ("realtime/2025-06", "added"),
        ("realtime/2025-07", "added")]
    assert done.skipped == {"ambulance incident with conveyance not known": 1,
                            "attendance that was not at an emergency department": 2}
    assert done.in_extracts == 0

    with sessions(make_engine(applied))() as s:
        marked = dict(s.execute(select(InboundMessage.control_id, CareEvent.exported_at)
                                .join(CareEvent, CareEvent.message_id == InboundMessage.id))
                      .all())
    unmarked = {k for k, v in marked.items() if v is None}
    # cancelled, an update, later, conveyance not known, not emergency attendances
    assert unmarked == {"M3", "M10", "M11", "AMB3", "M12", "E2"}
    assert done.marked == len(marked) - len(unmarked)

    before = hash_files(store.root)
    again = run(applied, data_dir)
    assert [r.status for r in again.batches] == ["unchanged"] * 3
    assert again.marked == 0
    assert hash_files(store.root) == before

    counted = emergency_12m(store, template.people)
    assert counted[a] == template.emergency[a] + 2  # S1 (21) and S3 (2A)
    assert counted[c] == template.emergency[c] + 1  # S4: an emergency, method unknown
    assert counted[b] == template.emergency[b]  # S5 was planned (11); S2 was cancelled


def test_later_news_replaces_the_months_it_changes(applied: str, data_dir: Path,
                                                    template: Template) -> None:
    a, b, c = template.people
    store = RecordStore(data_dir / "records")
    run(applied, data_dir)
    with unit_of_work(sessions(make_engine(applied))) as s:
        # S4 ends in August, with a death; S1's discharge is cancelled
        receive(s, adt.message("A03", "N1", c, datetime(2025, 8, 2, 9), spell_id="S4",
                               died=True))
        receive(s, adt.message("A13", "N2", a, datetime(2025, 8, 2, 10), spell_id="S1"))
        receive(s, adt.message("A11", "N3", b, datetime(2025, 8, 3, 10), spell_id="S6"))

    done = run(applied, data_dir, date(2025, 8, 31))

    assert {(r.batch, r.status) for r in done.batches} == {
        ("realtime/2025-05", "replaced"), ("realtime/2025-06", "replaced"),
        ("realtime/2025-07", "unchanged"), ("realtime/2025-08", "added")}
    spells = realtime(store, "inpatient_spell", ["record_id", "discharge_date",
                                                 "discharge_destination", "_period"])
    assert spells == {("RXX:S1", None, None, "2025-05"),
                      ("RXX:S3", date(2025, 7, 2), None, "2025-07"),
                      ("RXX:S4", date(2025, 8, 2), "79", "2025-08"),
                      ("RXX:S5", None, None, "2025-07")}
    assert store.arrow("inpatient_spell").num_rows == len(set(
        store.arrow("inpatient_spell")["record_id"].to_pylist()))  # each spell once


def test_what_an_extract_already_holds_is_left_to_it(care_url: str, data_dir: Path) -> None:
    store = RecordStore(data_dir / "records")
    spells = store.arrow("inpatient_spell")
    first = spells.slice(0, 1).to_pylist()[0]
    seed_people(care_url, [first["nhs_number"]])
    admitted = datetime.combine(first["admission_date"], datetime.min.time())
    with unit_of_work(sessions(make_engine(care_url))) as s:
        receive(s, adt.message("A01", "X1", first["nhs_number"], admitted, spell_id="X1"))

    done = run(care_url, data_dir)

    assert done.in_extracts == 1
    assert done.rows["inpatient_spell"] == 0
    assert done.batches == []
    assert store.arrow("inpatient_spell").num_rows == spells.num_rows
    with sessions(make_engine(care_url))() as s:  # it is in the record plane: marked
        assert s.scalar(select(CareEvent.exported_at)) is not None


def test_the_command_line_sends_and_exports(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'care.db'}"
    upgrade(url)
    _, people = populate(url, per_group=3)
    nhs = people.case_managed[0]
    good = adt.message("A01", "F1", nhs, datetime(2025, 6, 1, 9), spell_id="F1")
    bad = adt.message("A01", "F2", nhs, datetime(2025, 6, 1, 9), admission_type="ZZ")
    messages = tmp_path / "messages.hl7"
    messages.write_text("\n\n".join("\n".join(m.rstrip("\r").split("\r")) for m in (good, bad))
                        + "\n")
    assert read_messages(messages.read_text()) == [good, bad]
    runner = CliRunner()
    with listening(url) as (port, _):
        sent = runner.invoke(events_app, ["send", f"127.0.0.1:{port}", str(messages)])
        assert sent.exit_code == 0, sent.output
        assert "ADT^A01 F1: AA" in sent.output
        assert "ADT^A01 F2: AE" in sent.output
        demo = runner.invoke(events_app, ["send", f"127.0.0.1:{port}", "--demo", "6",
                                          "--data-dir", str(tmp_path)])
        assert demo.exit_code == 0, demo.output
        assert sum(line.endswith(": AA") for line in demo.output.splitlines()) == 6
        assert "Acknowledgements: AA 6" in demo.output
    for who in people.case_managed + list(people.level3):
        assert who not in sent.output + demo.output
    with sessions(make_engine(url))() as s:
        kinds = sorted(s.scalars(select(Alert.kind)))
    # F1 and the demonstration's 2 case-managed admissions; 1 level-3 admission and
    # discharge
    assert kinds == ["admission"] * 3 + ["practice_admission", "practice_discharge"]

    exported = runner.invoke(events_app, ["to-records", "--data-dir", str(tmp_path)])
    assert exported.exit_code == 0, exported.output
    assert "inpatient_spell 4" in exported.output  # F1 and the 3 demonstration spells
    again = runner.invoke(events_app, ["to-records", "--data-dir", str(tmp_path)])
    assert "0 changed; 0 events newly marked" in again.output
