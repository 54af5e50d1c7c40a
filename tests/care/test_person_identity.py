"""Who the person is in the care plane: name, address and postcode loaded from the record
store, the patient banner's formatting, and the name on the worklist, the person summary
and the person API (POP-1, CM-5)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pyarrow.compute as pc
from sqlalchemy import select

from ltc.care.casemgmt import services as cases
from ltc.care.db import make_engine, sessions, unit_of_work
from ltc.care.people import banner
from ltc.care.people.models import Person, display_name
from ltc.care.people.services import load_from_folder
from ltc.pipeline import levels, runs, stratify
from ltc.records.store import RecordStore
from ltc.synth.generate import Options, write_store
from ltc.web.people.api import person_out
from ltc.web.people.pages import summary


def test_banner_formats_name_nhs_number_and_date_of_birth() -> None:
    assert banner.nhs_number("9434765919") == "943 476 5919"
    assert banner.nhs_number(" 9434765919 ") == "943 476 5919"
    assert banner.nhs_number("12345") == "12345"  # not an NHS number: left as it is
    assert banner.birth_date(date(1941, 3, 12)) == "12-Mar-1941"
    assert banner.birth_date(date(2001, 12, 1)) == "01-Dec-2001"
    assert banner.birth_date(None) == "Not known"
    assert display_name("Mary Ann", "Smith-Jones") == "SMITH-JONES, Mary Ann"
    assert display_name(None, "Smith") == "SMITH"
    assert display_name("Mary", None) == "Mary"
    assert display_name(" ", None) is None
    # age in completed years: the day before the birthday, and on it
    assert banner.age(date(1941, 3, 12), date(2025, 3, 11)) == 83
    assert banner.age(date(1941, 3, 12), date(2025, 3, 12)) == 84
    assert banner.age(date(1940, 2, 29), date(2025, 2, 28)) == 84


def test_banner_of_a_person() -> None:
    person = Person(nhs_number="9434765919", given_name="Mary", family_name="Smith",
                    date_of_birth=date(1941, 3, 12), sex="F", address="12 Mill Lane, Castleford",
                    postcode="LT1 2AB")
    b = banner.banner(person, date(2025, 4, 1))
    assert b == banner.Banner(name="SMITH, Mary", nhs_number="943 476 5919",
                              date_of_birth="12-Mar-1941", age=84, sex="Female",
                              address="12 Mill Lane, Castleford, LT1 2AB", died=None)
    died = banner.banner(Person(nhs_number="9434765919", date_of_birth=date(1941, 3, 12),
                                date_of_death=date(2024, 1, 5)), date(2025, 4, 1))
    assert (died.name, died.age, died.died, died.sex, died.address) == (
        "Name not known", 82, "05-Jan-2024", "Not known", "Address not known")


def test_load_run_fills_names_and_addresses_shown_on_worklist_summary_and_api(
        care_url: str, tmp_path: Path) -> None:
    store = RecordStore(tmp_path / "records")
    write_store(store, Options(people=1_200, seed=8))
    table = stratify.people(store.connect(), date(2025, 3, 31), levels.load())
    run = runs.save(tmp_path, table, {"as_of": "2025-03-31", "engine": "duckdb"})
    factory = sessions(make_engine(care_url))
    with unit_of_work(factory) as s:
        load_from_folder(s, tmp_path, run.id)
    records = {r["nhs_number"]: r for r in store.arrow("person").select(
        ["nhs_number", "given_name", "family_name", "address", "postcode"]).to_pylist()}
    with factory() as s:
        people = s.scalars(select(Person)).all()
        assert len(people) == table.num_rows
        for p in people:
            r = records[p.nhs_number]
            assert (p.given_name, p.family_name, p.address, p.postcode) == (
                r["given_name"], r["family_name"], r["address"], r["postcode"])
        level3 = table.filter(pc.equal(table["level"], 3))
        locality = level3["locality_code"][0].as_py()
        found = cases.candidates(s, locality=locality)
        assert found
        for c in found:
            r = records[c.nhs_number]
            assert c.name == f"{r['family_name'].upper()}, {r['given_name']}"
        someone = found[0].nhs_number
        context = summary(s, someone)
        assert context["person"].name == found[0].name
        out = person_out(context)
        assert out.name == found[0].name
        assert out.family_name == records[someone]["family_name"]
        b = banner.for_person(s, someone)
        assert b is not None
        assert b.address.endswith(records[someone]["postcode"])
