"""A run's recall statuses reach the care store with the run (DM-2): every item of
``recall.parquet``, one summary row per person with items due (the earliest due date and
how many), telephone numbers and practice names for the invitations; a run without
``recall.parquet`` loads as before; a bad file refuses the whole run, naming the file, the
row and what was expected; the next run replaces the items, and reviews recorded after its
index date are applied to it again while those before it are superseded."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from sqlalchemy import func, select

from ltc.care.auth import services as auth
from ltc.care.auth.models import Role
from ltc.care.db import make_engine, sessions, unit_of_work
from ltc.care.people.models import StratRun
from ltc.care.people.run_files import RunFileError
from ltc.care.people.services import load_run
from ltc.care.recall import reviews
from ltc.care.recall.models import Practice, RecallContact, RecallItem, RecallPerson
from ltc.protocols import load as load_protocols

from .folders import demographics, item, person, practices, write_run

A, B, C = "9434765919", "9000000009", "9000000017"
AS_OF = date(2025, 3, 31)


def _items() -> list[dict[str, object]]:
    return [
        item(A, "diabetes", "hba1c", "overdue", date(2024, 11, 2), date(2023, 11, 2), 61.0),
        item(A, "diabetes", "blood_pressure", "due", date(2025, 2, 1), date(2024, 2, 1),
             150.0, 85.0, target_met=False),
        item(A, "diabetes", "foot_check", "done", date(2025, 12, 1), date(2024, 12, 1)),
        item(B, "copd", "review", "due_soon", date(2025, 4, 20), date(2024, 4, 20)),
        item(B, "copd", "spirometry", "not_due", date(2025, 9, 1), None),
        item(C, "copd", "review", "done", date(2026, 1, 5), date(2025, 1, 5), practice="P2"),
    ]


def _load(url: str, tmp_path: Path, run_id: str = "run-0001", as_of: date = AS_OF,
          recall: object = "default") -> int:
    rows = _items() if recall == "default" else recall
    run = write_run(tmp_path, run_id, as_of,
                    [person(A), person(B), person(C, practice="P2")], rows)  # type: ignore[arg-type]
    people = demographics([
        {"nhs_number": A, "given_name": "Ann", "family_name": "Jones",
         "telephone": "07700 900123", "preferred_contact": "sms"},
        {"nhs_number": B, "telephone": "01632 960001"}, {"nhs_number": C}])
    with unit_of_work(sessions(make_engine(url))) as s:
        loaded = load_run(s, run, people, {A: "diabetes", B: "copd", C: "copd"},
                          practices=practices({"P1": "Castle Surgery", "P2": "Mill Lane"}))
    return loaded.people


def test_the_items_load_with_the_run_and_sum_up_per_person(care_url: str,
                                                            tmp_path: Path) -> None:
    assert _load(care_url, tmp_path) == 3
    with sessions(make_engine(care_url))() as s:
        assert s.scalar(select(func.count()).select_from(RecallItem)) == 6
        hba1c = s.get(RecallItem, ("run-0001", A, "diabetes", "hba1c"))
        assert hba1c is not None
        assert (hba1c.status, hba1c.due_on, hba1c.last_value) == (
            "overdue", date(2024, 11, 2), 61.0)
        bp = s.get(RecallItem, ("run-0001", A, "diabetes", "blood_pressure"))
        assert bp is not None
        assert (bp.last_value, bp.last_value_2, bp.target_met) == (150.0, 85.0, False)
        summed = {r.nhs_number: (r.practice_code, r.first_due_on, r.due_items)
                  for r in s.scalars(select(RecallPerson))}
        # C has nothing due: no summary row
        assert summed == {A: ("P1", date(2024, 11, 2), 2), B: ("P1", date(2025, 4, 20), 1)}
        phones = {r.nhs_number: (r.telephone, r.preferred_contact)
                  for r in s.scalars(select(RecallContact))}
        assert phones == {A: ("07700 900123", "sms"), B: ("01632 960001", None)}
        assert {p.practice_code: p.name for p in s.scalars(select(Practice))} == {
            "P1": "Castle Surgery", "P2": "Mill Lane"}


def test_a_run_without_recall_statuses_loads_as_before(care_url: str, tmp_path: Path) -> None:
    assert _load(care_url, tmp_path, recall=None) == 3
    with sessions(make_engine(care_url))() as s:
        assert s.scalar(select(func.count()).select_from(RecallItem)) == 0
        assert s.scalar(select(StratRun.current).where(StratRun.id == "run-0001"))


@pytest.mark.parametrize(("change", "expected"), [
    ({"status": "late"}, "row 2: status 'late' is not a recall status; expected one of "
                         "overdue, due, due_soon, not_due, done, excepted"),
    ({"nhs_number": "94347"}, "row 2: nhs_number '94347' is not 10 digits"),
    ({"item": None}, "row 2: item is empty; every row needs one"),
])
def test_a_bad_recall_file_refuses_the_whole_run(care_url: str, tmp_path: Path,
                                                  change: dict[str, object],
                                                  expected: str) -> None:
    rows = _items()
    rows[1] = {**rows[1], **change}
    with pytest.raises(RunFileError) as refused:
        _load(care_url, tmp_path, recall=rows)
    assert str(refused.value) == f"{tmp_path / 'runs' / 'run-0001' / 'recall.parquet'}, " \
                                 f"{expected}"
    with sessions(make_engine(care_url))() as s:  # nothing of the run was kept
        assert s.scalar(select(func.count()).select_from(StratRun)) == 0
        assert s.scalar(select(func.count()).select_from(RecallItem)) == 0


def test_a_missing_column_or_a_wrong_type_is_named(care_url: str, tmp_path: Path) -> None:
    table = pa.Table.from_pylist(_items()).drop_columns(["due_on"])
    with pytest.raises(RunFileError, match="has no column 'due_on'; expected the columns"):
        _load(care_url, tmp_path, recall=table)
    table = pa.Table.from_pylist(_items()).set_column(
        5, "due_on", pa.array(["soon"] * 6))
    with pytest.raises(RunFileError, match="column 'due_on' is string, expected date32"):
        _load(care_url, tmp_path / "again", recall=table)


def test_the_next_run_replaces_the_items_and_keeps_later_reviews(care_url: str,
                                                                 tmp_path: Path) -> None:
    _load(care_url, tmp_path)
    protocols = load_protocols()
    factory = sessions(make_engine(care_url))
    with unit_of_work(factory) as s:
        nurse = auth.create_user(s, "nurse", "Nurse", Role.PRACTICE_NURSE, "x" * 12, "P1")
        # the HbA1c done on 2 April (after the next run's index date), the blood pressure
        # on 20 March (before it: the run knows it, or judges it otherwise)
        reviews.record(s, A, nurse, protocols, condition="diabetes", item="hba1c",
                       outcome="done", on=date(2025, 4, 2), value=52.0, today=date(2025, 4, 3))
        reviews.record(s, A, nurse, protocols, condition="diabetes", item="blood_pressure",
                       outcome="done", on=date(2025, 3, 20), value=128.0, value_2=76.0,
                       today=date(2025, 4, 3))
    with factory() as s:
        summed = s.get(RecallPerson, ("run-0001", A))
        assert summed is None  # nothing due any more
    _load(care_url, tmp_path, "run-0002", AS_OF)  # the same statuses, as of 31 March
    with factory() as s:
        assert s.scalar(select(func.count()).select_from(RecallItem).where(
            RecallItem.run_id == "run-0001")) == 0
        hba1c = s.get(RecallItem, ("run-0002", A, "diabetes", "hba1c"))
        assert hba1c is not None
        assert (hba1c.status, hba1c.last_done_on, hba1c.last_value, hba1c.due_on) == (
            "done", date(2025, 4, 2), 52.0, date(2026, 4, 2))
        assert hba1c.review_id is not None
        bp = s.get(RecallItem, ("run-0002", A, "diabetes", "blood_pressure"))
        assert bp is not None
        assert (bp.status, bp.review_id) == ("due", None)  # the run's word
        summed = s.get(RecallPerson, ("run-0002", A))
        assert summed is not None
        assert (summed.first_due_on, summed.due_items) == (date(2025, 2, 1), 1)


def test_a_real_runs_recall_statuses_load_through_the_hand_over(care_url: str,
                                                                 tmp_path: Path) -> None:
    """The pipeline's ``recall.parquet`` (a synthetic community stratified) is read as the
    care plane expects, every item with its status, and a person's due items sum up."""
    from ltc.care.people.services import load_from_folder
    from ltc.pipeline.run import run_stratification
    from ltc.records.store import RecordStore
    from ltc.synth.generate import Options, write_store

    store = RecordStore(tmp_path / "records")
    write_store(store, Options(people=1200, seed=8))
    made = run_stratification(store, tmp_path, date(2025, 3, 31))
    assert made.recall is not None
    expected = made.recall.num_rows
    due = pc.sum(pc.is_in(made.recall["status"], pa.array(
        ["due_soon", "due", "overdue"]))).as_py()
    with unit_of_work(sessions(make_engine(care_url))) as s:
        load_from_folder(s, tmp_path, made.run.id)
    with sessions(make_engine(care_url))() as s:
        assert s.scalar(select(func.count()).select_from(RecallItem)) == expected
        assert s.scalar(select(func.sum(RecallPerson.due_items))) == due
        statuses = set(s.scalars(select(RecallItem.status).distinct()))
        assert statuses <= {"done", "not_due", "excepted", "due_soon", "due", "overdue"}
        assert "done" in statuses
        assert "overdue" in statuses
        assert s.scalar(select(func.count()).select_from(Practice)) > 0
        assert s.scalar(select(func.count()).select_from(RecallContact)) > 0
