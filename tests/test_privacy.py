"""Names and addresses never leave the patient banner (POP-1): a synthetic community is
built, ingested, modelled, stratified and loaded with the real commands, its person pages
are served, and no log line, no command output and no analyst or commissioning output
(run report, run Parquet and CSV, records summary, model card, anything written outside
the record store and the care store) holds any generated name, address, postcode or
telephone number."""

from __future__ import annotations

import itertools
import logging
import re
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from ltc.care.auth import services as auth
from ltc.care.auth.models import Role
from ltc.care.casemgmt.models import CaseManager
from ltc.care.db import make_engine, sessions, unit_of_work
from ltc.cli import app as cli
from ltc.config import settings
from ltc.records.store import RecordStore

PASSWORD = "a long enough password 1"
WORD = re.compile(r"[^\W\d_][\w'\-]*")
POSTCODE = re.compile(r"\b[A-Z]{1,2}\d{1,2}[A-Z]? \d[A-Z]{2}\b")
TELEPHONE = re.compile(r"\b0(?:7700 900|1632 960)\d{3}\b")
HOUSE = re.compile(r"\b\d{1,3} [^\W\d_][\w'\-]* [A-Z][a-z]+\b")
#: what may hold who people are: the inputs, the record store, the care store
ALLOWED = ("extracts", "records")


class Identities:
    """Every generated name, address, postcode and telephone number, in forms that can be
    looked for in any text without one search per person."""

    def __init__(self, store: RecordStore) -> None:
        people = store.arrow("person").to_pylist()
        self.names = {(p["given_name"].lower(), p["family_name"].lower()) for p in people}
        self.houses = {p["address"].split(",")[0] for p in people}
        self.postcodes = {p["postcode"] for p in people}
        self.telephones = {p["telephone"] for p in people}
        assert len(people) > 1000
        assert None not in self.postcodes

    def found_in(self, text: str) -> list[str]:
        words = [w.lower() for w in WORD.findall(text)]
        pairs = set(itertools.pairwise(words))
        found = [f"{a} {b}" for a, b in pairs
                 if (a, b) in self.names or (b, a) in self.names]
        found += [p for p in POSTCODE.findall(text) if p in self.postcodes]
        found += [t for t in TELEPHONE.findall(text) if t in self.telephones]
        found += [h for h in HOUSE.findall(text) if h in self.houses]
        return found


def _text_of(path: Path) -> str:
    if path.suffix == ".parquet":
        table = pq.read_table(path)
        return "\n".join(" ".join(str(v) for v in table.column(i).to_pylist())
                         for i in range(table.num_columns))
    return path.read_bytes().decode("utf-8", errors="replace")


def _run(args: list[str], printed: list[str]) -> None:
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    printed.append(result.output)


def test_no_name_or_address_in_logs_or_analyst_and_commissioning_outputs(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    data = tmp_path / "data"
    d = ["--data-dir", str(data)]
    printed: list[str] = []
    _run(["synth", "--people", "2000", "--seed", "4", *d], printed)
    _run(["ingest", "csv", str(data / "extracts"), *d], printed)
    _run(["records", "summary", *d], printed)
    model = tmp_path / "model"
    _run(["model", "train", "--index-date", "2023-03-31", "--out", str(model), *d], printed)
    _run(["model", "evaluate", str(model), "--index-date", "2024-03-31",
          "--card", str(tmp_path / "card"), *d], printed)
    _run(["stratify", "--as-of", "2025-03-31", "--model", str(model), *d], printed)
    _run(["runs", "list", *d], printed)
    _run(["care", "load-run", *d], printed)

    store = RecordStore(data / "records")
    who = Identities(store)
    assert who.found_in(_text_of(store.files("person")[0]))  # the search finds them

    # the person pages, the worklist, the caseload and the person API, served
    from ltc.web.app import create_app

    url = settings().care_url(data)
    person = store.arrow("person").to_pylist()
    locality = "LOC01"
    with unit_of_work(sessions(make_engine(url))) as s:
        user = auth.create_user(s, "matron", "Matron", Role.CASE_MANAGER, PASSWORD, None)
        s.flush()
        s.add(CaseManager(user_id=user.id, job_title="Community matron",
                          locality_code=locality))
    from fastapi.testclient import TestClient

    application = create_app(url, data_dir=data)
    client = TestClient(application, base_url="https://testserver")
    token = client.get("/login").text.split('name="login_csrf" value="')[1].split('"')[0]
    client.post("/login", data={"username": "matron", "password": PASSWORD,
                                "login_csrf": token, "next": "/"})
    worklist = client.get("/worklist")
    assert worklist.status_code == 200
    listed = re.findall(r'href="/people/(\d{10})"', worklist.text)
    assert listed
    shown = 0
    for nhs in listed[:10]:
        page = client.get(f"/people/{nhs}")
        assert page.status_code == 200
        assert who.found_in(page.text)  # the banner shows who they are...
        shown += 1
        for url_path in (f"/people/{nhs}/careplan", f"/people/{nhs}/assessment"):
            assert client.get(url_path).status_code == 200
    assert shown
    assert {p["nhs_number"] for p in person} >= set(listed)
    application.state.engine.dispose()

    # ...and nothing else does
    leaks = [f"log {r.name}: {found}" for r in caplog.records
             if (found := who.found_in(r.getMessage()))]
    leaks += [f"command output: {found}" for out in printed if (found := who.found_in(out))]
    outputs = [p for p in tmp_path.rglob("*") if p.is_file()
               and p.relative_to(data if p.is_relative_to(data) else tmp_path).parts[0]
               not in ALLOWED and not p.name.startswith("care.db")]  # the care store
    names = {p.name for p in outputs}
    assert {"people.parquet", "people.csv", "run.json"} <= names
    assert any(p.suffix == ".html" for p in outputs)  # the run report
    assert any(p.parent.name == "card" for p in outputs)  # the model card
    for path in outputs:
        found = who.found_in(_text_of(path))
        if found:
            leaks.append(f"{path.relative_to(tmp_path)}: {found[:3]}")
    assert not leaks, "\n".join(leaks)
