"""Pyramid levels (STRAT-5), runs and their differences (STRAT-6), GP knowledge (STRAT-7)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import ibis
import pyarrow as pa
import pytest

from ltc.pipeline import gp_knowledge, levels, runs
from ltc.records.errors import IngestError

POLICY = levels.load()


def assign(*people: dict[str, Any]) -> list[tuple[int, str]]:
    base = {"castlefields": False, "evercare": False, "ltc_count": 0, "complex_ltc": False,
            "emergency_12m": 0, "risk_percentile": None, "gp_action": None}
    rows = [{"nhs_number": f"{i:02d}", **base, **p} for i, p in enumerate(people)]
    schema = pa.schema([("nhs_number", pa.string()), ("castlefields", pa.bool_()),
                        ("evercare", pa.bool_()), ("ltc_count", pa.int64()),
                        ("complex_ltc", pa.bool_()), ("emergency_12m", pa.int64()),
                        ("risk_percentile", pa.float64()), ("gp_action", pa.string())])
    t = ibis.duckdb.connect().create_table("t", pa.Table.from_pylist(rows, schema=schema))
    out = levels.assign(POLICY, t, ["castlefields", "evercare"]).order_by("nhs_number")
    return [(r["level"], r["level_basis"]) for r in out.to_pyarrow().to_pylist()]


def test_default_policy() -> None:
    assert POLICY.rule_sets == ("castlefields", "evercare")
    assert POLICY.top_risk_percent == 0.5
    assert POLICY.min_ltc_level2 == 2


def test_levels_by_the_default_policy() -> None:
    got = assign(
        {},                                                # 0: no LTC
        {"ltc_count": 1},                                  # 1: one LTC
        {"ltc_count": 2},                                  # 2: two LTCs
        {"ltc_count": 1, "complex_ltc": True},             # 2: complex single condition
        {"ltc_count": 1, "emergency_12m": 1},              # 2: LTC and an admission
        {"emergency_12m": 3},                              # 0: admissions but no LTC
        {"castlefields": True},                            # 3: rules
        {"ltc_count": 1, "risk_percentile": 99.5},         # 3: top 0.5% of risk
        {"ltc_count": 1, "risk_percentile": 99.4},         # 1: just below
        {"gp_action": "nominate"},                         # 3: nominated
        {"evercare": True, "ltc_count": 2, "gp_action": "exclude"},  # 2: excluded
    )
    assert [level for level, _ in got] == [0, 1, 2, 2, 2, 0, 3, 3, 1, 3, 2]
    assert got[6][1] == "case-finding rules met"
    assert got[7][1] == "predicted risk in the top 0.5%"
    assert got[9][1] == "nominated by a clinician"
    assert got[3][1] == "a complex long term condition"


def test_a_policy_file_changes_the_thresholds(tmp_path: Path) -> None:
    text = (Path(levels.__file__).parent.parent / "data" / "policy" / "default.toml"
            ).read_text().replace("min_ltc = 2", "min_ltc = 3")
    path = tmp_path / "policy.toml"
    path.write_text(text)
    assert levels.load(path).min_ltc_level2 == 3


@pytest.mark.parametrize(("edit", "says"), [
    (lambda t: t.replace('"smi", ', '"smy", '), "unknown registers ['smy']"),
    (lambda t: t.split("[level1]")[0], "'level1' is missing"),
    (lambda t: t.replace('"evercare"]', '"evercar"]'), "no such rule file"),
    (lambda t: t.replace("top_risk_percent = 0.5", "top_risk_percent = 150"),
     "between 0 and 100"),
])
def test_a_bad_policy_is_refused_clearly(tmp_path: Path, edit: Any, says: str) -> None:
    text = (Path(levels.__file__).parent.parent / "data" / "policy" / "default.toml"
            ).read_text()
    path = tmp_path / "policy.toml"
    path.write_text(edit(text))
    with pytest.raises(ValueError, match=says.replace("[", r"\[").replace("]", r"\]")):
        levels.load(path)


def _people(levels_by_number: dict[str, int]) -> pa.Table:
    return pa.table({"nhs_number": list(levels_by_number),
                     "practice_code": ["P1"] * len(levels_by_number),
                     "level": list(levels_by_number.values()),
                     "level_basis": ["x"] * len(levels_by_number)})


def test_runs_are_kept_and_differences_listed(tmp_path: Path) -> None:
    first = runs.save(tmp_path, _people({"a": 3, "b": 3, "c": 2, "d": 1}), {"as_of": "2024-03-31"})
    second = runs.save(tmp_path, _people({"a": 3, "b": 2, "c": 3, "e": 0}),
                       {"as_of": "2025-03-31"})
    assert [r.id for r in runs.all_runs(tmp_path)] == ["run-0001", "run-0002"]
    assert runs.get(tmp_path, "latest").id == "run-0002"
    assert first.meta["levels"] == {"3": 2, "2": 1, "1": 1}
    d = runs.diff(first, second)
    assert d.entrants["nhs_number"].to_list() == ["c"]
    assert d.leavers["nhs_number"].to_list() == ["b"]
    assert d.movers["nhs_number"].to_list() == ["b", "c", "d", "e"]
    cells = {(r["level_a"], r["level_b"]): r["people"] for r in d.transitions.iter_rows(
        named=True)}
    assert cells[(3, 3)] == 1
    assert cells[(1, None)] == 1
    assert cells[(None, 0)] == 1
    assert (second.folder / "people.csv").read_text().startswith("nhs_number,")


def test_an_unknown_run_names_the_runs_there_are(tmp_path: Path) -> None:
    runs.save(tmp_path, _people({"a": 1}), {})
    with pytest.raises(runs.RunError, match="run-0001"):
        runs.get(tmp_path, "run-0009")


def test_gp_knowledge_file_is_checked_like_an_extract(tmp_path: Path) -> None:
    good = tmp_path / "gp.csv"
    good.write_text("nhs_number,action,reason,clinician,date\n"
                    "9434765919,nominate,Carer recently died,Dr A Patel,2025-03-01\n"
                    "9000000009,exclude,In a care home with full support,Dr B Jones,"
                    "2025-03-02\n")
    table = gp_knowledge.load(good)
    assert gp_knowledge.summary(table) == {"nominate": 1, "exclude": 1}
    bad = tmp_path / "bad.csv"
    bad.write_text("nhs_number,action,reason,clinician,date\n"
                   "9434765919,promote,Because,Dr A Patel,2025-03-01\n")
    with pytest.raises(IngestError, match=r"bad.csv, line 2, field action: 'promote'"):
        gp_knowledge.load(bad)
