"""Every register's QOF v46 rule as spec tables, on DuckDB and on Spark (POP-3).

One table of common cases runs for every register (diagnosis only, resolved later, resolved
the same day, re-diagnosed after resolved, the age-limit edge, hospital-only member);
further tables give the drug-window edges (asthma 12 months, epilepsy 6 months), the date
limits (cancer 2003-04-01, depression 2006-04-01) and CKD's latest stage wins. Codes are
taken from each register's own lists, so the table reads the same for every register.
"""

from __future__ import annotations

import shutil
from datetime import date, timedelta

import ibis
import pytest

from ltc.codes import codelists
from ltc.records.registers import REGISTERS, Register, born_by, members
from spec_tables import check, connect

AS_OF = date(2025, 3, 31)
SPARK = pytest.param("spark", marks=[pytest.mark.spark, pytest.mark.xdist_group("spark")],
                     id="spark")
#: A BNF code on each drug-treated register's drug list (synthetic formulary codes).
DRUG = {"asthma": "0301011R0", "epilepsy": "0408010H0"}


@pytest.fixture(params=["duckdb", SPARK])
def engine(request: pytest.FixtureRequest) -> str:
    """The engine a register spec runs on: ``duckdb`` or ``spark`` (Spark needs the extra
    and Java 17; without them the Spark runs are skipped with the reason)."""
    name: str = request.param
    if name == "spark":
        pytest.importorskip("pyspark", reason="the Spark engine needs the 'spark' extra")
        if shutil.which("java") is None:
            pytest.skip("the Spark engine needs Java 17 (openjdk-17-jre-headless)")
    return name


def _own(codes: frozenset[str], rid: str, attr: str = "codes") -> str:
    """A code of the register that is on no other register's list of the same kind."""
    others: set[str] = set().union(*(getattr(r, attr) for k, r in REGISTERS.items()
                                     if k != rid))
    return sorted(codes - others)[0]


def _icd10(reg: Register) -> str:
    """A recorded ICD-10 code that the register's hospital list matches."""
    return sorted(e for e in reg.icd10 if len(e) == 4 or not any(
        o != e and o.startswith(e) for o in reg.icd10))[0]


def _on(con: ibis.BaseBackend, rid: str, as_of: date = AS_OF) -> ibis.Table:
    m = members(con, as_of)
    return m.filter(m.register == rid).select("nhs_number", "source")


def _people(born: dict[str, date]) -> str:
    rows = "\n".join(f"{who} | {dob.isoformat()} | U | P1" for who, dob in born.items())
    return "nhs_number | date_of_birth | sex | practice_code\n" + rows


def _drugs(rid: str, rows: list[tuple[str, date]]) -> str:
    lines = "\n".join(f"{who} | {day.isoformat()} | bnf | {DRUG[rid]} | x"
                      for who, day in rows)
    return "nhs_number | date | drug_code_system | drug_code | drug_name\n" + lines


@pytest.mark.parametrize("rid", list(REGISTERS))
def test_common_cases(engine: str, rid: str) -> None:
    reg = REGISTERS[rid]
    dx, icd = _own(reg.codes, rid), _icd10(reg)
    at_age = born_by(AS_OF, reg.min_age)  # the birthday on AS_OF: just old enough
    born = {"dx_only": date(1950, 1, 1), "at_age": at_age,
            "under_age": at_age + timedelta(days=1), "hosp_only": date(1950, 1, 1),
            "hosp_and_gp": date(1950, 1, 1)}
    rows = [("dx_only", "snomed", dx, "2010-01-01", "primary"),
            ("at_age", "snomed", dx, "2024-01-01", "primary"),
            ("under_age", "snomed", dx, "2024-01-01", "primary"),
            ("hosp_only", "icd10", icd, "2018-01-01", "secondary"),
            ("hosp_and_gp", "icd10", icd, "2018-01-01", "secondary"),
            ("hosp_and_gp", "snomed", dx, "2010-01-01", "primary")]
    want = ["dx_only | primary", "at_age | primary", "hosp_only | hospital",
            "hosp_and_gp | primary"]
    if reg.resolved_codes:
        res = sorted(reg.resolved_codes)[0]
        born.update(res_later=date(1950, 1, 1), res_same=date(1950, 1, 1),
                    redx=date(1950, 1, 1))
        rows += [("res_later", "snomed", dx, "2010-01-01", "primary"),
                 ("res_later", "snomed", res, "2012-01-01", "primary"),
                 ("res_same", "snomed", dx, "2012-01-01", "primary"),
                 ("res_same", "snomed", res, "2012-01-01", "primary"),
                 ("redx", "snomed", dx, "2010-01-01", "primary"),
                 ("redx", "snomed", res, "2012-01-01", "primary"),
                 ("redx", "snomed", dx, "2015-01-01", "primary")]
        # resolved later: off; resolved the same day: on; diagnosed again: on
        want += ["res_same | primary", "redx | primary"]
    diagnosis = "nhs_number | code_system | code | date | setting\n" + "\n".join(
        " | ".join(r) for r in rows)
    tables = {"person": _people(born), "diagnosis": diagnosis}
    if rid in DRUG:  # everyone is treated here; the window edges have their own table
        tables["prescription"] = _drugs(rid, [(who, date(2025, 1, 1)) for who in born])
    check(_on(connect(engine, **tables), rid),
          "nhs_number | source\n" + "\n".join(want))


@pytest.mark.parametrize(("rid", "months", "first_day"), [
    ("asthma", 12, date(2024, 3, 31)), ("epilepsy", 6, date(2024, 9, 30))])
def test_drug_window_edges(engine: str, rid: str, months: int, first_day: date) -> None:
    reg = REGISTERS[rid]
    assert reg.drug_months == months
    dx = _own(reg.codes, rid)
    born = {w: date(1950, 1, 1) for w in ("edge", "outside", "as_of", "after", "none")}
    diagnosis = "nhs_number | code_system | code | date | setting\n" + "\n".join(
        f"{who} | snomed | {dx} | 2010-01-01 | primary" for who in born)
    con = connect(engine, person=_people(born), diagnosis=diagnosis, prescription=_drugs(
        rid, [("edge", first_day), ("outside", first_day - timedelta(days=1)),
              ("as_of", AS_OF), ("after", AS_OF + timedelta(days=1))]))
    # the window's first day and the as-of date are inside (ltc.windows); the day before
    # the window, a prescription after the as-of date and none at all are not
    check(_on(con, rid), """
        nhs_number | source
        as_of      | primary
        edge       | primary
        """)


def test_a_drug_off_the_list_does_not_count(engine: str) -> None:
    dx = _own(REGISTERS["asthma"].codes, "asthma")
    con = connect(engine, person=_people({"statin": date(1950, 1, 1),
                                          "dmd": date(1950, 1, 1),
                                          "rxnorm": date(1950, 1, 1)}),
                  diagnosis="nhs_number | code_system | code | date | setting\n"
                  f"statin | snomed | {dx} | 2010-01-01 | primary\n"
                  f"dmd | snomed | {dx} | 2010-01-01 | primary\n"
                  f"rxnorm | snomed | {dx} | 2010-01-01 | primary",
                  prescription=f"""
        nhs_number | date       | drug_code_system | drug_code                         | drug_name
        statin     | 2025-01-01 | bnf              | 0212000B0                         | Atorvastatin
        dmd        | 2025-01-01 | dmd              | {sorted(codelists.load_drugs("asttrt_cod").dmd)[0]} | x
        rxnorm     | 2025-01-01 | rxnorm           | 745679                            | Albuterol
        """)  # noqa: E501
    check(_on(con, "asthma"), """
        nhs_number | source
        dmd        | primary
        rxnorm     | primary
        """)


def test_epilepsy_drug_named_in_a_dmd_prescription(engine: str) -> None:
    dx = _own(REGISTERS["epilepsy"].codes, "epilepsy")
    con = connect(engine, person=_people({"named": date(1950, 1, 1),
                                          "other": date(1950, 1, 1)}),
                  diagnosis="nhs_number | code_system | code | date | setting\n"
                  f"named | snomed | {dx} | 2010-01-01 | primary\n"
                  f"other | snomed | {dx} | 2010-01-01 | primary",
                  prescription="""
        nhs_number | date       | drug_code_system | drug_code         | drug_name
        named      | 2025-01-01 | dmd              | 39710611000001103 | Lamotrigine 100mg tablets
        other      | 2025-01-01 | dmd              | 39710611000001104 | Paracetamol 500mg tablets
        """)
    check(_on(con, "epilepsy"), """
        nhs_number | source
        named      | primary
        """)


def test_cancer_since_1_april_2003_whatever_its_later_status(engine: str) -> None:
    reg = REGISTERS["cancer"]
    dx, icd = _own(reg.codes, "cancer"), _icd10(reg)
    born = {w: date(1950, 1, 1) for w in ("edge", "before", "abated", "hosp_abated",
                                          "before_then_after")}
    con = connect(engine, person=_people(born), diagnosis=f"""
        nhs_number        | code_system | code | date       | resolved_date | setting
        edge              | snomed      | {dx} | 2003-04-01 |               | primary
        before            | snomed      | {dx} | 2003-03-31 |               | primary
        abated            | snomed      | {dx} | 2005-01-01 | 2006-01-01    | primary
        hosp_abated       | icd10       | {icd} | 2005-01-01 | 2006-01-01   | secondary
        before_then_after | snomed      | {dx} | 2001-01-01 |               | primary
        before_then_after | icd10       | {icd} | 2010-01-01 |              | secondary
        """)
    check(_on(con, "cancer"), """
        nhs_number        | source
        abated            | primary
        before_then_after | hospital
        edge              | primary
        hosp_abated       | hospital
        """)


def test_depression_since_1_april_2006(engine: str) -> None:
    dx = _own(REGISTERS["depression"].codes, "depression")
    born = {w: date(1970, 1, 1) for w in ("edge", "before")}
    con = connect(engine, person=_people(born), diagnosis=f"""
        nhs_number | code_system | code | date       | setting
        edge       | snomed      | {dx} | 2006-04-01 | primary
        before     | snomed      | {dx} | 2006-03-31 | primary
        """)
    check(_on(con, "depression"), """
        nhs_number | source
        edge       | primary
        """)


CKD3, CKD12, CKDRES = "433144002", "431856006", "939211000000104"  # stage 3, stage 2


def test_ckd_latest_stage_wins(engine: str) -> None:
    reg = REGISTERS["ckd"]
    assert CKD3 in reg.codes
    assert CKD12 in codelists.load("ckd1and2_cod").codes
    assert CKDRES in codelists.load("ckdres_cod").codes
    born = {w: date(1950, 1, 1) for w in ("down", "same_day", "up_again", "only12",
                                          "hosp_down", "res")}
    con = connect(engine, person=_people(born), diagnosis=f"""
        nhs_number | code_system | code     | date       | setting
        down       | snomed      | {CKD3}   | 2015-01-01 | primary
        down       | snomed      | {CKD12}  | 2016-01-01 | primary
        same_day   | snomed      | {CKD3}   | 2016-01-01 | primary
        same_day   | snomed      | {CKD12}  | 2016-01-01 | primary
        up_again   | snomed      | {CKD12}  | 2014-01-01 | primary
        up_again   | snomed      | {CKD3}   | 2016-01-01 | primary
        only12     | snomed      | {CKD12}  | 2016-01-01 | primary
        hosp_down  | icd10       | N184     | 2015-01-01 | secondary
        hosp_down  | snomed      | {CKD12}  | 2016-01-01 | primary
        res        | snomed      | {CKD3}   | 2015-01-01 | primary
        res        | snomed      | {CKDRES} | 2016-01-01 | primary
        """)
    # a stage 1-2 code later than the latest stage 3-5 code ends the register (QOF v46
    # CKD1AND2_DAT); on the same day, or followed by a stage 3-5 code again, it does not
    check(_on(con, "ckd"), """
        nhs_number | source
        same_day   | primary
        up_again   | primary
        """)


@pytest.mark.parametrize(("rid", "code"), [
    ("dementia", "F05.0"), ("heart_failure", "I26.0"), ("heart_failure", "R57.0"),
    ("ckd", "N01.9"), ("ckd", "N03.2"), ("ckd", "N05.9"), ("ckd", "N19"), ("ckd", "N18"),
    ("chd", "Z03.4")])
def test_hospital_codes_that_do_not_mean_the_condition(rid: str, code: str) -> None:
    con = connect("duckdb", person=_people({"p": date(1950, 1, 1)}), diagnosis=f"""
        nhs_number | code_system | code   | date       | setting
        p          | icd10       | {code} | 2020-01-01 | secondary
        """)
    check(_on(con, rid), "nhs_number | source")
    reason = codelists.exclusions()[REGISTERS[rid].icd10_codelists[0]]
    assert reason[code.replace(".", "")]
