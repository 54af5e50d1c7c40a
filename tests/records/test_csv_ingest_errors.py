"""Bad CSV extracts are refused precisely, and nothing of them reaches the store.

Each case writes a small valid extract folder, breaks one thing, and checks that the
refusal names the file, the line, the field and what was expected, and that the store
(holding an earlier good batch) is byte-for-byte unchanged.
"""

from __future__ import annotations

import hashlib
import pickle
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ltc.codes import nhs_number
from ltc.records.errors import IngestError
from ltc.records.ingest import csv_extract
from ltc.records.ingest.csv_extract import load_folder
from ltc.records.store import RecordStore

N = [f"{n:010d}" for n in nhs_number.from_serials(np.arange(100, 106, dtype=np.int64))]
BAD_CHECK = N[1][:9] + str((int(N[1][9]) + 1) % 10)

GP: dict[str, str] = {
    "locality.csv": """\
locality_code,name
L1,North
L2,South
""",
    "practice.csv": """\
practice_code,name,locality_code,list_size
C81001,Alpha Surgery,L1,5400
C81002,Beta Health Centre,L2,
""",
    "person.csv": f"""\
nhs_number,date_of_birth,sex,practice_code,postcode_district,lsoa,imd_decile,lives_alone,has_carer,is_carer,date_of_death
{N[0]},1948-03-12,F,C81001,LE1,E01013456,3,true,false,false,
{N[1]},1952-11-30,M,C81001,LE2,E01013457,7,false,true,false,
{N[2]},1939-07-04,F,C81002,LE3,,1,Y,N,N,2023-12-01
{N[3]},1985-01-20,U,C81002,,,,,,,
""",
    "diagnosis.csv": f"""\
nhs_number,record_id,code_system,code,date,resolved_date,setting
{N[0]},D1,snomed,44054006,2015-06-01,,primary
{N[1]},D2,icd10,I10,2018-02-14,,secondary
{N[2]},D3,snomed,195967001,2010-09-09,2012-01-01,primary
""",
    "gp_consultation.csv": f"""\
nhs_number,record_id,date,staff,mode
{N[0]},C1,2024-01-03,gp,face_to_face
{N[1]},C2,2024-01-05,nurse,telephone
{N[3]},C3,2024-01-09,pharmacist,video
""",
    "prescription.csv": f"""\
nhs_number,record_id,date,drug_code_system,drug_code,drug_name,bnf_chapter,quantity,cost,repeat
{N[0]},P1,2024-01-03,dmd,325072002,Metformin 500mg tablets,6,56,1.52,true
{N[1]},P2,2024-01-05,dmd,318135000,Amlodipine 5mg tablets,2,28,,false
""",
    "observation.csv": f"""\
nhs_number,record_id,date,code_system,code,value,unit
{N[0]},O1,2024-01-03,snomed,1049301000000100,53,mmol/mol
{N[1]},O2,2024-01-05,snomed,72313002,,
""",
}

ACUTE: dict[str, str] = {
    "inpatient_spell.csv": f"""\
nhs_number,record_id,admission_date,discharge_date,admission_method,primary_diagnosis,discharge_destination
{N[0]},S1,2024-01-02,2024-01-06,21,I50.9,19
{N[1]},S2,2024-01-10,,11,,
""",
    "ae_attendance.csv": f"""\
nhs_number,record_id,date,disposal
{N[0]},A1,2024-01-02,admitted
{N[2]},A2,2023-11-15,
""",
    "outpatient_attendance.csv": f"""\
nhs_number,record_id,date,specialty,attended,first_attendance
{N[1]},OP1,2024-01-11,320,true,true
{N[3]},OP2,2024-01-18,,false,
""",
}

SOCIAL_CARE: dict[str, str] = {
    "social_care_package.csv": f"""\
nhs_number,record_id,start_date,end_date,hours_per_week,intensity
{N[0]},SCP1,2023-11-01,2024-01-31,7.5,medium
{N[1]},SCP2,2023-06-01,,20,high
""",
    "social_care_contact.csv": f"""\
nhs_number,record_id,date,kind
{N[0]},SCC1,2024-01-04,review
""",
}

EXTRACTS = {"gp": GP, "acute": ACUTE, "social_care": SOCIAL_CARE}


def write_extract(root: Path, source: str, period: str,
                  files: dict[str, str] | None = None) -> Path:
    folder = root / source / period
    folder.mkdir(parents=True)
    for name, text in (EXTRACTS[source] if files is None else files).items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def snapshot(root: Path) -> dict[str, str]:
    """Every path under ``root``: files by content hash, folders by a marker."""
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            if p.is_file() else "<dir>" for p in sorted(root.rglob("*"))}


# -- ways to break a folder ------------------------------------------------------------

Corrupt = Callable[[Path], Path]


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").split("\n")


def set_cell(file: str, line: int, column: str, value: str) -> Corrupt:
    def corrupt(folder: Path) -> Path:
        lines = _lines(folder / file)
        header = lines[0].split(",")
        cells = lines[line - 1].split(",")
        cells[header.index(column)] = value
        lines[line - 1] = ",".join(cells)
        (folder / file).write_text("\n".join(lines), encoding="utf-8")
        return folder
    return corrupt


def set_line(file: str, line: int, text: str) -> Corrupt:
    def corrupt(folder: Path) -> Path:
        lines = _lines(folder / file)
        lines[line - 1] = text
        (folder / file).write_text("\n".join(lines), encoding="utf-8")
        return folder
    return corrupt


def edit_line(file: str, line: int, edit: Callable[[str], str]) -> Corrupt:
    def corrupt(folder: Path) -> Path:
        lines = _lines(folder / file)
        lines[line - 1] = edit(lines[line - 1])
        (folder / file).write_text("\n".join(lines), encoding="utf-8")
        return folder
    return corrupt


def copy_cell(file: str, from_line: int, to_line: int, column: str) -> Corrupt:
    def corrupt(folder: Path) -> Path:
        header = _lines(folder / file)[0].split(",")
        value = _lines(folder / file)[from_line - 1].split(",")[header.index(column)]
        return set_cell(file, to_line, column, value)(folder)
    return corrupt


def drop_column(file: str, column: str) -> Corrupt:
    def corrupt(folder: Path) -> Path:
        lines = _lines(folder / file)
        at = lines[0].split(",").index(column)
        out = []
        for line in lines:
            cells = line.split(",")
            out.append(",".join(cells[:at] + cells[at + 1:]) if line else line)
        (folder / file).write_text("\n".join(out), encoding="utf-8")
        return folder
    return corrupt


def add_column(file: str, column: str, value: str) -> Corrupt:
    def corrupt(folder: Path) -> Path:
        lines = _lines(folder / file)
        out = [lines[0] + "," + column] + [line + "," + value if line else line
                                           for line in lines[1:]]
        (folder / file).write_text("\n".join(out), encoding="utf-8")
        return folder
    return corrupt


def write_bytes(file: str, data: bytes) -> Corrupt:
    def corrupt(folder: Path) -> Path:
        (folder / file).write_bytes(data)
        return folder
    return corrupt


def latin1_line(file: str, line: int, old: str, new: str) -> Corrupt:
    def corrupt(folder: Path) -> Path:
        raw = (folder / file).read_bytes().split(b"\n")
        raw[line - 1] = raw[line - 1].replace(old.encode(), new.encode("latin-1"))
        (folder / file).write_bytes(b"\n".join(raw))
        return folder
    return corrupt


def only(*files: str) -> Callable[[Corrupt], Corrupt]:
    """Keep just ``files`` in the folder, then apply the corruption."""
    def wrap(then: Corrupt) -> Corrupt:
        def corrupt(folder: Path) -> Path:
            for path in folder.iterdir():
                if path.name not in files:
                    path.unlink()
            return then(folder)
        return corrupt
    return wrap


def move_to(source: str, period: str) -> Corrupt:
    def corrupt(folder: Path) -> Path:
        target = folder.parent.parent / source / period
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(folder, target)
        return target
    return corrupt


def insert_blank_line_after(file: str, line: int) -> Callable[[Corrupt], Corrupt]:
    def wrap(then: Corrupt) -> Corrupt:
        def corrupt(folder: Path) -> Path:
            then(folder)
            lines = _lines(folder / file)
            lines.insert(line, "")
            (folder / file).write_text("\n".join(lines), encoding="utf-8")
            return folder
        return corrupt
    return wrap


def line_endings(file: str, ending: str) -> Callable[[Corrupt], Corrupt]:
    def wrap(then: Corrupt) -> Corrupt:
        def corrupt(folder: Path) -> Path:
            then(folder)
            text = (folder / file).read_text(encoding="utf-8")
            (folder / file).write_bytes(text.replace("\n", ending).encode())
            return folder
        return corrupt
    return wrap


def nothing(folder: Path) -> Path:
    return folder


@dataclass(frozen=True)
class Case:
    id: str
    source: str
    corrupt: Corrupt
    file: str  # the file (or folder) the report must name
    line: int | None  # the exact line, for row and header problems
    field: str | None  # the field, where one is involved
    says: str  # what the report must say about it


CASES = [
    # NHS numbers
    Case("nhs_bad_check_digit", "gp", set_cell("person.csv", 3, "nhs_number", BAD_CHECK),
         "person.csv", 3, "nhs_number", "fails the Modulus 11 check"),
    Case("nhs_check_value_10", "gp", set_cell("diagnosis.csv", 2, "nhs_number", "1000000010"),
         "diagnosis.csv", 2, "nhs_number", "check value 10"),
    Case("nhs_too_short", "gp", set_cell("gp_consultation.csv", 4, "nhs_number", N[3][:9]),
         "gp_consultation.csv", 4, "nhs_number", "has 9 characters"),
    Case("nhs_too_long", "acute", set_cell("ae_attendance.csv", 3, "nhs_number", N[2] + "1"),
         "ae_attendance.csv", 3, "nhs_number", "has 11 characters"),
    Case("nhs_not_digits", "gp", set_cell("prescription.csv", 2, "nhs_number",
                                          N[0][:4] + "O" + N[0][5:]),
         "prescription.csv", 2, "nhs_number", "not a digit"),
    Case("nhs_empty", "gp", set_cell("observation.csv", 3, "nhs_number", ""),
         "observation.csv", 3, "nhs_number", "is empty"),
    # dates
    Case("date_malformed", "gp", set_cell("person.csv", 2, "date_of_birth", "12/03/1948"),
         "person.csv", 2, "date_of_birth", "is not a date"),
    Case("date_with_time", "gp", set_cell("gp_consultation.csv", 3, "date",
                                          "2024-01-05T10:30"),
         "gp_consultation.csv", 3, "date", "is not a date"),
    Case("date_feb_30", "gp", set_cell("diagnosis.csv", 3, "date", "2023-02-30"),
         "diagnosis.csv", 3, "date", "is not a real calendar date"),
    Case("date_month_13", "gp", set_cell("observation.csv", 2, "date", "2023-13-01"),
         "observation.csv", 2, "date", "is not a real calendar date"),
    Case("date_feb_29_non_leap", "gp", set_cell("gp_consultation.csv", 2, "date",
                                                "2023-02-29"),
         "gp_consultation.csv", 2, "date", "is not a real calendar date"),
    Case("date_after_the_period", "gp", set_cell("gp_consultation.csv", 3, "date",
                                                 "2024-03-01"),
         "gp_consultation.csv", 3, "date", "after the end of the extract's period (2024-02-29)"),
    Case("date_too_early", "gp", set_cell("person.csv", 4, "date_of_birth", "1870-05-01"),
         "person.csv", 4, "date_of_birth", "is outside 1880-01-01 to 2100-12-31"),
    Case("date_too_late", "acute", set_cell("outpatient_attendance.csv", 2, "date",
                                            "2101-01-01"),
         "outpatient_attendance.csv", 2, "date", "is outside 1880-01-01 to 2100-12-31"),
    # orders between fields
    Case("discharge_before_admission", "acute",
         set_cell("inpatient_spell.csv", 2, "discharge_date", "2023-12-31"),
         "inpatient_spell.csv", 2, "discharge_date", "is before admission_date"),
    Case("resolved_before_diagnosed", "gp",
         set_cell("diagnosis.csv", 4, "resolved_date", "2009-01-01"),
         "diagnosis.csv", 4, "resolved_date", "is before date"),
    Case("death_before_birth", "gp", set_cell("person.csv", 4, "date_of_death", "1930-01-01"),
         "person.csv", 4, "date_of_death", "is before date_of_birth"),
    Case("package_ends_before_start", "social_care",
         set_cell("social_care_package.csv", 2, "end_date", "2023-10-31"),
         "social_care_package.csv", 2, "end_date", "is before start_date"),
    # numbers
    Case("negative_quantity", "gp", set_cell("prescription.csv", 3, "quantity", "-28"),
         "prescription.csv", 3, "quantity", "below the minimum"),
    Case("negative_cost", "gp", set_cell("prescription.csv", 2, "cost", "-0.50"),
         "prescription.csv", 2, "cost", "below the minimum"),
    Case("negative_hours", "social_care",
         set_cell("social_care_package.csv", 3, "hours_per_week", "-2"),
         "social_care_package.csv", 3, "hours_per_week", "below the minimum"),
    Case("quantity_not_numeric", "gp", set_cell("prescription.csv", 2, "quantity", "ten"),
         "prescription.csv", 2, "quantity", "is not a number"),
    Case("imd_decile_0", "gp", set_cell("person.csv", 2, "imd_decile", "0"),
         "person.csv", 2, "imd_decile", "below the minimum"),
    Case("imd_decile_11", "gp", set_cell("person.csv", 3, "imd_decile", "11"),
         "person.csv", 3, "imd_decile", "above the maximum"),
    Case("imd_decile_fraction", "gp", set_cell("person.csv", 3, "imd_decile", "5.5"),
         "person.csv", 3, "imd_decile", "is not a number"),
    Case("list_size_negative", "gp", set_cell("practice.csv", 2, "list_size", "-1"),
         "practice.csv", 2, "list_size", "below the minimum"),
    Case("bnf_chapter_above_maximum", "gp", set_cell("prescription.csv", 3, "bnf_chapter", "24"),
         "prescription.csv", 3, "bnf_chapter", "above the maximum"),
    Case("value_nan", "gp", set_cell("observation.csv", 2, "value", "nan"),
         "observation.csv", 2, "value", "is not a number"),
    Case("value_inf", "gp", set_cell("observation.csv", 3, "value", "-inf"),
         "observation.csv", 3, "value", "is not a number"),
    Case("value_overflows_to_inf", "gp", set_cell("observation.csv", 2, "value", "1e999"),
         "observation.csv", 2, "value", "too large to be a finite number"),
    # codes and booleans
    Case("unknown_sex", "gp", set_cell("person.csv", 5, "sex", "X"),
         "person.csv", 5, "sex", "is not a known code"),
    Case("unknown_admission_method", "acute",
         set_cell("inpatient_spell.csv", 3, "admission_method", "27"),
         "inpatient_spell.csv", 3, "admission_method", "is not a known code"),
    Case("unknown_code_system", "gp", set_cell("diagnosis.csv", 2, "code_system", "icd9"),
         "diagnosis.csv", 2, "code_system", "is not a known code"),
    Case("unknown_disposal", "acute", set_cell("ae_attendance.csv", 2, "disposal", "left"),
         "ae_attendance.csv", 2, "disposal", "is not a known code"),
    Case("bad_boolean", "gp", set_cell("person.csv", 2, "lives_alone", "maybe"),
         "person.csv", 2, "lives_alone", "is not a yes/no value"),
    Case("bad_boolean_acute", "acute", set_cell("outpatient_attendance.csv", 3, "attended",
                                                "2"),
         "outpatient_attendance.csv", 3, "attended", "is not a yes/no value"),
    # empty values
    Case("empty_required_value", "gp", set_cell("diagnosis.csv", 2, "code", ""),
         "diagnosis.csv", 2, "code", "is empty"),
    Case("blank_required_value", "acute", set_cell("inpatient_spell.csv", 3,
                                                   "admission_date", "   "),
         "inpatient_spell.csv", 3, "admission_date", "is empty"),
    # identifiers
    Case("duplicate_record_id", "gp", copy_cell("gp_consultation.csv", 2, 4, "record_id"),
         "gp_consultation.csv", 4, "record_id", "duplicate identifier 'C1'"),
    Case("duplicate_record_id_padded", "gp", set_cell("diagnosis.csv", 3, "record_id", " D1 "),
         "diagnosis.csv", 3, "record_id", "duplicate identifier 'D1'"),
    Case("duplicate_nhs_number_in_person", "gp", copy_cell("person.csv", 2, 4, "nhs_number"),
         "person.csv", 4, "nhs_number", "duplicate identifier"),
    # lines and headers
    Case("too_few_columns", "gp", edit_line("observation.csv", 3, lambda s: s.rsplit(",", 1)[0]),
         "observation.csv", 3, None, "has 6 columns; expected 7"),
    Case("too_many_columns", "acute", edit_line("ae_attendance.csv", 2, lambda s: s + ",x"),
         "ae_attendance.csv", 2, None, "has 5 columns; expected 4"),
    Case("missing_required_column", "gp", drop_column("person.csv", "sex"),
         "person.csv", 1, "sex", "required column is missing"),
    Case("unknown_column", "gp", add_column("person.csv", "ethnicity", "A"),
         "person.csv", 1, "ethnicity", "unknown column"),
    Case("derived_column_in_extract", "acute",
         add_column("inpatient_spell.csv", "length_of_stay", "4"),
         "inpatient_spell.csv", 1, "length_of_stay", "unknown column"),
    Case("duplicate_column", "gp", add_column("gp_consultation.csv", "mode", "video"),
         "gp_consultation.csv", 1, "mode", "column named twice"),
    Case("empty_column_name", "gp", set_line("locality.csv", 1, "locality_code,,name"),
         "locality.csv", 1, None, "empty column name"),
    # files
    Case("empty_file", "gp", write_bytes("gp_consultation.csv", b""),
         "gp_consultation.csv", None, None, "file is empty"),
    Case("latin1_value", "gp", latin1_line("practice.csv", 3, "Beta", "Bêta"),
         "practice.csv", 3, "name", "byte 0xea at column 9 is not valid UTF-8"),
    Case("latin1_header", "acute", latin1_line("ae_attendance.csv", 1, "disposal", "disposé"),
         "ae_attendance.csv", 1, None, "is not valid UTF-8"),
    Case("unknown_table_file", "gp", write_bytes("ward.csv", b"ward_code\nW1\n"),
         "ward.csv", None, None, "not a table the gp source sends"),
    Case("table_of_another_source", "gp",
         write_bytes("inpatient_spell.csv", ACUTE["inpatient_spell.csv"].encode()),
         "inpatient_spell.csv", None, None, "not a table the gp source sends"),
    Case("not_a_csv_file", "acute", write_bytes("notes.txt", b"hello\n"),
         "notes.txt", None, None, "not a table the acute source sends"),
    # folders
    Case("unknown_source_folder", "gp", move_to("gp2", "2024-02"),
         "gp2", None, None, "unknown source 'gp2'"),
    Case("bad_period_month_13", "gp", move_to("gp", "2024-13"),
         "2024-13", None, None, "period '2024-13' is not a month"),
    Case("bad_period_format", "acute", move_to("acute", "202402"),
         "202402", None, None, "period '202402' is not a month"),
    Case("empty_folder", "social_care", only()(nothing),
         "2024-02", None, None, "no files"),
    # line numbers stay exact when the reader skips a blank line
    Case("line_after_blank_line", "gp", insert_blank_line_after("diagnosis.csv", 2)(
        set_cell("diagnosis.csv", 3, "setting", "hospital")),
        "diagnosis.csv", 4, "setting", "is not a known code"),
    Case("line_in_a_file_ending_lines_with_cr", "acute", line_endings("ae_attendance.csv", "\r")(
        set_cell("ae_attendance.csv", 3, "date", "2023-11-31")),
        "ae_attendance.csv", 3, "date", "is not a real calendar date"),
    # references between tables
    Case("person_practice_unknown", "gp", set_cell("person.csv", 3, "practice_code", "C99999"),
         "person.csv", 3, "practice_code", "'C99999' is not a practice_code"),
    Case("practice_locality_unknown", "gp", set_cell("practice.csv", 3, "locality_code", "L9"),
         "practice.csv", 3, "locality_code", "'L9' is not a locality_code"),
    Case("person_only_practice_not_stored", "gp",
         only("person.csv")(set_cell("person.csv", 5, "practice_code", "Y00000")),
         "person.csv", 5, "practice_code", "'Y00000' is not a practice_code"),
]


@pytest.fixture
def store(tmp_path: Path) -> RecordStore:
    """A store holding good gp, acute and social_care batches for 2024-01."""
    store = RecordStore(tmp_path / "store")
    for source in EXTRACTS:
        result = store.commit(load_folder(write_extract(tmp_path / "good", source, "2024-01"),
                                          store=store))
        assert result.status == "added"
    return store


def test_there_are_at_least_thirty_cases() -> None:
    assert len({c.id for c in CASES}) == len(CASES) >= 30


@pytest.mark.parametrize("staged", [False, True], ids=["in-memory", "staged"])
@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_is_refused_and_nothing_is_stored(case: Case, staged: bool,
                                                    store: RecordStore, tmp_path: Path) -> None:
    """Both ways of reading (whole files in memory, or in parts staged on disk) refuse it."""
    folder = case.corrupt(write_extract(tmp_path / "incoming", case.source, "2024-02"))
    before = snapshot(store.root)
    manifest = store.manifest_path.read_bytes()
    staging = tmp_path / "staging" if staged else None
    if staging is not None:
        staging.mkdir()

    with pytest.raises(IngestError) as caught:
        store.commit(load_folder(folder, store=store, staging=staging))

    err = caught.value
    message = str(err)
    assert case.file in message
    assert case.says in message
    assert "expected" in message
    if case.line is not None:
        assert re.search(rf"{re.escape(case.file)}, line {case.line}(?!\d)", message), message
    if case.field is not None:
        assert f"field {case.field}:" in message
    located = [p for p in err.problems
               if case.file in p.where
               and (case.line is None or p.where.endswith(f", line {case.line}"))
               and p.field == case.field]
    assert located, message
    assert all("expected" in p.message for p in err.problems)
    assert snapshot(store.root) == before
    assert store.manifest_path.read_bytes() == manifest


def test_each_good_extract_is_accepted(tmp_path: Path) -> None:
    store = RecordStore(tmp_path / "store")
    for source in EXTRACTS:
        batch = load_folder(write_extract(tmp_path, source, "2024-03"), store=store)
        assert {f"{name}.csv" for name in batch.tables} == set(EXTRACTS[source])
        assert store.commit(batch).status == "added"
    assert store.arrow("person").num_rows == 4
    spells = store.arrow("inpatient_spell").to_pylist()
    assert [s["length_of_stay"] for s in spells] == [4, None]


def test_bad_replacement_of_a_stored_period_changes_nothing(store: RecordStore,
                                                           tmp_path: Path) -> None:
    folder = write_extract(tmp_path / "again", "gp", "2024-01")
    set_cell("person.csv", 2, "sex", "Q")(folder)
    before = snapshot(store.root)
    with pytest.raises(IngestError, match=r"person\.csv, line 2, field sex"):
        store.commit(load_folder(folder, store=store))
    assert snapshot(store.root) == before


def test_report_shape_for_the_command_line(tmp_path: Path) -> None:
    folder = write_extract(tmp_path, "gp", "2024-02")
    set_cell("person.csv", 3, "sex", "X")(folder)
    with pytest.raises(IngestError) as caught:
        load_folder(folder)
    lines = str(caught.value).splitlines()
    assert lines[0] == "Batch refused: 1 problem found."
    assert lines[1].startswith("  - ")
    assert lines[1].endswith("person.csv, line 3, field sex: 'X' is not a known code; "
                             "expected one of: F, M, U")
    assert lines[-1] == ("Nothing from this batch was stored. Correct the input and run the "
                         "same command again.")
    assert caught.value.report() == str(caught.value)


def test_line_numbers_count_every_blank_line(tmp_path: Path) -> None:
    header, d1, d2, d3 = GP["diagnosis.csv"].splitlines()
    text = "\n".join([header, "", d1, "", "\r", d2.replace("secondary", "ward"),
                      d3.replace("primary", "ward"), "", ""])
    folder = write_extract(tmp_path, "gp", "2024-02", {"diagnosis.csv": text})
    with pytest.raises(IngestError) as caught:
        load_folder(folder)
    assert [p.where.rsplit("/", 1)[-1] for p in caught.value.problems] == [
        "diagnosis.csv, line 6", "diagnosis.csv, line 7"]


def test_refusal_survives_pickling(tmp_path: Path) -> None:
    folder = write_extract(tmp_path, "gp", "2024-02")
    set_cell("person.csv", 3, "sex", "X")(folder)
    with pytest.raises(IngestError) as caught:
        load_folder(folder)
    copy = pickle.loads(pickle.dumps(caught.value))
    assert isinstance(copy, IngestError)
    assert copy.problems == caught.value.problems
    assert copy.total == 1
    assert str(copy) == str(caught.value)


def test_problems_in_several_files_are_reported_together(tmp_path: Path) -> None:
    folder = write_extract(tmp_path, "gp", "2024-02")
    set_cell("person.csv", 3, "sex", "X")(folder)
    set_cell("prescription.csv", 2, "quantity", "-1")(folder)
    set_cell("prescription.csv", 3, "quantity", "-2")(folder)
    with pytest.raises(IngestError) as caught:
        load_folder(folder)
    err = caught.value
    assert err.total == 3
    assert str(err).startswith("Batch refused: 3 problems found.")
    wheres = sorted(p.where.rsplit("/", 1)[-1] for p in err.problems)
    assert wheres == ["person.csv, line 3", "prescription.csv, line 2",
                      "prescription.csv, line 3"]


def test_many_problems_are_counted_in_full_but_listed_up_to_a_limit(tmp_path: Path) -> None:
    rows = "\n".join(f"{N[0]},C{i},2024-01-{1 + i % 28:02d},surgeon,video" for i in range(45))
    folder = write_extract(tmp_path, "gp", "2024-02", {
        "gp_consultation.csv": "nhs_number,record_id,date,staff,mode\n" + rows + "\n"})
    with pytest.raises(IngestError) as caught:
        load_folder(folder)
    err = caught.value
    assert err.total == 45
    assert len(err.problems) == 20
    assert "... and 25 more" in str(err)
    assert err.problems[0].where.endswith("gp_consultation.csv, line 2")
    assert err.problems[19].where.endswith("gp_consultation.csv, line 21")


def test_values_are_trimmed_signed_and_flexible(tmp_path: Path) -> None:
    folder = write_extract(tmp_path, "gp", "2024-02")
    set_cell("person.csv", 2, "imd_decile", "+4")(folder)
    set_cell("person.csv", 3, "practice_code", " C81002 ")(folder)
    set_cell("person.csv", 3, "lives_alone", "Yes")(folder)
    set_cell("observation.csv", 2, "value", "5.3e1")(folder)
    batch = load_folder(folder)
    person = {r["nhs_number"]: r for r in batch.tables["person"].to_pylist()}
    assert person[N[0]]["imd_decile"] == 4
    assert person[N[1]]["practice_code"] == "C81002"
    assert person[N[1]]["lives_alone"] is True
    assert batch.tables["observation"].column("value").to_pylist() == [53.0, None]


def test_header_with_byte_order_mark_and_crlf(tmp_path: Path) -> None:
    folder = write_extract(tmp_path, "gp", "2024-02")
    text = (folder / "diagnosis.csv").read_text().replace("\n", "\r\n")
    (folder / "diagnosis.csv").write_bytes(b"\xef\xbb\xbf" + text.encode())
    assert load_folder(folder).tables["diagnosis"].num_rows == 3
    set_cell("diagnosis.csv", 3, "setting", "ward")(folder)
    with pytest.raises(IngestError, match=r"diagnosis\.csv, line 3, field setting"):
        load_folder(folder)


def test_references_resolve_against_the_store(store: RecordStore, tmp_path: Path) -> None:
    # a person-only extract may name practices already stored
    folder = write_extract(tmp_path / "in", "gp", "2024-02", {"person.csv": GP["person.csv"]})
    assert store.commit(load_folder(folder, store=store)).status == "added"
    # a practice-only extract may name localities already stored
    folder = write_extract(tmp_path / "in", "gp", "2024-03",
                           {"practice.csv": GP["practice.csv"]})
    assert store.commit(load_folder(folder, store=store)).status == "added"


def test_references_without_a_store_use_the_batch_only(tmp_path: Path) -> None:
    person_only = write_extract(tmp_path / "a", "gp", "2024-02",
                                {"person.csv": GP["person.csv"].replace("C81002", "Z1")})
    assert load_folder(person_only).tables["person"].num_rows == 4
    with pytest.raises(IngestError, match=r"'Z1' is not a practice_code .* in the store;"):
        load_folder(person_only, store=RecordStore(tmp_path / "empty-store"))
    with_practices = write_extract(tmp_path / "b", "gp", "2024-02", {
        "person.csv": GP["person.csv"].replace("C81002", "Z1"),
        "practice.csv": GP["practice.csv"], "locality.csv": GP["locality.csv"]})
    with pytest.raises(IngestError) as caught:
        load_folder(with_practices)
    assert caught.value.total == 2
    assert {p.where.rsplit("/", 1)[-1] for p in caught.value.problems} == {
        "person.csv, line 4", "person.csv, line 5"}
    assert "in this batch;" in str(caught.value)


def test_a_reference_to_a_practice_only_in_the_batch_being_replaced(store: RecordStore,
                                                                    tmp_path: Path) -> None:
    # The stored gp 2024-01 batch lists C81002. A corrected 2024-01 extract that drops
    # C81002 but still registers people there would leave them pointing at nothing.
    files = dict(GP)
    files["practice.csv"] = "practice_code,name,locality_code,list_size\nC81001,Alpha,L1,1\n"
    folder = write_extract(tmp_path / "fix", "gp", "2024-01", files)
    before = snapshot(store.root)
    with pytest.raises(IngestError) as caught:
        store.commit(load_folder(folder, store=store))
    assert caught.value.total == 2
    assert "'C81002' is not a practice_code" in str(caught.value)
    assert snapshot(store.root) == before
    # the same content as a new period is fine: C81002 is stored for 2024-01
    folder = write_extract(tmp_path / "later", "gp", "2024-02", files)
    assert store.commit(load_folder(folder, store=store)).status == "added"


def _cells() -> st.SearchStrategy[str]:
    header = GP["person.csv"].splitlines()[0].split(",")
    good = GP["person.csv"].splitlines()[1].split(",")
    return st.one_of(
        st.sampled_from([*good, "", " ", '"', '""', "\x00", "nan", "-1", "1e999", "é", "\r"]),
        st.text(max_size=6),
        st.sampled_from(header),
    )


PERSON_HEADER = GP["person.csv"].splitlines()[0]


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.just(PERSON_HEADER),
                 st.lists(_cells(), min_size=1, max_size=12).map(",".join),
                 st.builds(lambda at, bit: PERSON_HEADER[:at] + bit + PERSON_HEADER[at:],
                           st.integers(0, len(PERSON_HEADER)),
                           st.sampled_from(["\r", '"', ",", "\ufeff", "\x00", " "]))),
       st.lists(st.lists(_cells(), min_size=9, max_size=13).map(",".join), max_size=4),
       st.binary(max_size=12))
def test_any_person_file_is_loaded_or_refused_cleanly(header: str, lines: list[str],
                                                      tail: bytes) -> None:
    data = ("\n".join([header, *lines]) + "\n").encode() + tail
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "gp" / "2024-02"
        folder.mkdir(parents=True)
        (folder / "person.csv").write_bytes(data)
        refused: IngestError | None = None
        try:
            rows = load_folder(folder).tables["person"].num_rows
        except IngestError as err:
            refused = err
    if refused is None:
        assert rows <= len(lines) + 1
    else:
        assert refused.problems
        assert all("expected" in p.message for p in refused.problems), str(refused)
        assert all("person.csv" in p.where for p in refused.problems)


def _consultations(rows: int) -> str:
    lines = ["nhs_number,record_id,date,staff,mode"]
    lines += [f"9434765919,C{i},2024-01-{1 + i % 28:02d},gp,telephone" for i in range(rows)]
    return "\n".join(lines) + "\n"


def test_staged_reading_in_parts_locates_problems_in_later_parts(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(csv_extract, "STAGE_BLOCK", 16 * 1024)  # many parts
    folder = tmp_path / "gp" / "2024-02"
    folder.mkdir(parents=True)
    lines = _consultations(5_000).splitlines()
    lines[4_320] = lines[4_320].replace("telephone", "carrier pigeon")  # line 4,321
    (folder / "gp_consultation.csv").write_text("\n".join(lines) + "\n")
    staging = tmp_path / "staging"
    staging.mkdir()
    with pytest.raises(IngestError) as caught:
        load_folder(folder, staging=staging)
    assert "gp_consultation.csv, line 4321, field mode: 'carrier pigeon'" in str(caught.value)


def test_staged_reading_finds_duplicates_across_parts(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(csv_extract, "STAGE_BLOCK", 16 * 1024)
    folder = tmp_path / "gp" / "2024-02"
    folder.mkdir(parents=True)
    lines = _consultations(5_000).splitlines()
    lines[4_999] = lines[4_999].replace("C4998", "C7")  # repeats the id on line 9
    (folder / "gp_consultation.csv").write_text("\n".join(lines) + "\n")
    staging = tmp_path / "staging"
    staging.mkdir()
    with pytest.raises(IngestError) as caught:
        load_folder(folder, staging=staging)
    message = str(caught.value)
    assert "gp_consultation.csv, line 5000, field record_id: duplicate identifier 'C7'" \
        in message
    assert "first seen at" in message
    assert "line 9" in message


def test_staged_and_in_memory_reading_store_the_same(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(csv_extract, "STAGE_BLOCK", 16 * 1024)
    folder = tmp_path / "gp" / "2024-02"
    folder.mkdir(parents=True)
    lines = _consultations(5_000).splitlines()
    body = lines[1:]
    body.reverse()  # out of order: the store must sort
    (folder / "gp_consultation.csv").write_text("\n".join([lines[0], *body]) + "\n")
    staging = tmp_path / "staging"
    staging.mkdir()
    a, b = RecordStore(tmp_path / "a"), RecordStore(tmp_path / "b")
    a.commit(load_folder(folder))
    b.commit(load_folder(folder, staging=staging))
    assert a.arrow("gp_consultation").equals(b.arrow("gp_consultation"))
    stored = a.arrow("gp_consultation")
    rows = list(zip(stored["date"].to_pylist(), stored["record_id"].to_pylist(), strict=True))
    assert rows == sorted(rows)  # one person: by date, then record_id
    assert rows[0] == (date(2024, 1, 1), "C0")
