"""The QOF v46 indicator definitions as data (DM-6): they agree with NHS Digital's files,
their rule language reads the business rules' notation, and a bad file is refused with
the file, the line and what was expected."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from ltc.pipeline import achievement_defs as defs_module
from ltc.pipeline.achievement_clusters import DefinitionError, folder, load_clusters
from ltc.pipeline.achievement_defs import (
    FIELDS_FILE,
    INDICATORS_FILE,
    definitions,
    load_fields,
    load_indicators,
)
from ltc.pipeline.achievement_rules import (
    Compare,
    Junction,
    QofDates,
    RuleSyntaxError,
    parse,
    parse_operand,
    shift,
)

REPO = Path(__file__).resolve().parents[2]
QOF = REPO.parent / "shared" / "data" / "external" / "qof"
DIABETES = ("DM017", "DM006", "DM012", "DM014", "DM019", "DM020", "DM021", "DM022", "DM023")


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="latin-1") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize(("achievement", "pped", "qssd"), [
    (date(2025, 3, 31), date(2025, 3, 31), date(2024, 4, 1)),
    (date(2024, 9, 30), date(2025, 3, 31), date(2024, 4, 1)),
    (date(2024, 4, 1), date(2025, 3, 31), date(2024, 4, 1)),
    (date(2025, 1, 15), date(2025, 3, 31), date(2024, 4, 1)),
])
def test_qualifying_dates_follow_the_qof_year(achievement: date, pped: date,
                                              qssd: date) -> None:
    dates = QofDates.of(achievement)
    assert (dates.pped, dates.qssd) == (pped, qssd)


def test_months_are_calendar_months_clamped_to_the_month_end() -> None:
    # business rules v46: PPED 31/03/2022 - 6 months is 30 September 2021
    assert shift(date(2022, 3, 31), -6, "months") == date(2021, 9, 30)
    assert shift(date(2022, 3, 31), -21, "months") == date(2020, 6, 30)
    assert shift(date(2024, 2, 29), -3, "years") == date(2021, 2, 28)
    assert shift(date(2020, 1, 1), 279, "days") == date(2020, 10, 6)


def test_the_rule_language_reads_the_business_rules_notation() -> None:
    expr = parse("(IFCCHBA_DAT <= PPED - 12 months OR IFCCHBA_DAT = null) "
                 "AND SERFRUC_DAT > PPED - 12 months")
    assert isinstance(expr, Junction)
    assert expr.op == "AND"
    assert isinstance(expr.parts[0], Junction)
    assert expr.parts[0].op == "OR"
    # AND binds tighter than OR
    loose = parse("A_DAT = null OR B_DAT = null AND C_DAT = null")
    assert isinstance(loose, Junction)
    assert loose.op == "OR"
    assert len(loose.parts) == 2
    assert isinstance(parse("X_DAT ≠ null"), Compare)
    assert parse_operand("DMINVITE1_DAT + 7 days") == parse_operand("DMINVITE1_DAT+7 days")


@pytest.mark.parametrize(("text", "message"), [
    ("DM_DAT >", "expected a field, a date, a number or null"),
    ("DM_DAT > PPED - 1.5 months", "whole number of days, months or years"),
    ("DM_DAT ~ PPED", "cannot read"),
    ("(DM_DAT > PPED", "expected ')'"),
])
def test_a_rule_that_cannot_be_read_says_where(text: str, message: str) -> None:
    with pytest.raises(RuleSyntaxError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse(text)


def test_the_diabetes_indicators_are_nhs_digitals() -> None:
    ours = {i.id: i for i in definitions().indicators}
    published = {r["indicator_id"]: r["description"].replace("\\<", "<")
                 for r in _csv(QOF / "business-rules" / "dm_v46_indicators.csv")}
    assert set(DIABETES) <= set(ours)
    for iid in DIABETES:
        assert ours[iid].wording == published[iid], iid
        assert ours[iid].register == "diabetes"


def test_the_clusters_carry_the_v46_refset_ids() -> None:
    clusters = definitions().clusters
    for row in _csv(QOF / "business-rules" / "dm_v46_clusters.csv"):
        name = row["cluster_id"]
        if name in clusters and name not in ("BPSYS_COD", "BPDIA_COD"):
            assert clusters[name].refset == row["refset_id"], name
    # BP_COD is carried as its systolic and its diastolic members
    for half in ("BPSYS_COD", "BPDIA_COD"):
        assert clusters[half].refset == "^999012731000230108"


def test_the_reasons_are_nhs_digitals_pca_and_exclusion_texts() -> None:
    published = {r["SHORT_NAME"]: r for r in _csv(
        QOF / "nhsdigital-QOF-public_metadata" / "PCA_REFERENCE.csv")}
    for name, reason in definitions().reasons.items():
        if reason.project:
            assert name not in published, name
            continue
        row = published[name]
        assert reason.text == " ".join(row["DESCRIPTION"].split()).replace('"', "'"), name
        assert reason.type == ("exclusion" if row["TYPE"] == "Exclusion" else "exception")


def test_every_cluster_file_is_listed_and_every_listed_member_file_exists() -> None:
    base = Path(str(folder() / "clusters"))
    listed = {r["cluster"]: r for r in _csv(base / "index.csv")}
    files = {p.stem.upper() for p in base.glob("*.csv") if p.name != "index.csv"}
    carried = {c for c, r in listed.items() if r["status"] in ("copied", "subset")}
    assert files == carried
    clusters = load_clusters()
    used = {f.cluster for f in definitions().fields.values() if f.cluster} | {
        c for f in definitions().fields.values() for c in (f.pair or ())}
    assert used <= set(clusters)
    assert all(clusters[c].codes or clusters[c].drugs for c in carried)
    assert not any(clusters[c].codes for c, r in listed.items() if r["status"] == "unavailable")


def test_the_observation_codes_the_synthetic_community_records_are_in_their_clusters() -> None:
    clusters = definitions().clusters
    assert ("snomed", "999791000000106") in clusters["IFCCHBAM_COD"].codes
    assert ("snomed", "72313002") in clusters["BPSYS_COD"].codes
    assert ("snomed", "271650006") in clusters["BPDIA_COD"].codes
    statins = clusters["STAT_COD"].drugs
    assert statins is not None
    assert statins.matches("bnf", "0212000B0", "Atorvastatin 20mg")
    assert not statins.matches("bnf", "1305020N0", "Nystatin 100,000units/ml oral suspension")


# -- a bad file is refused with the file and the line --------------------------------------
def _fields_text() -> str:
    return (folder() / FIELDS_FILE).read_text(encoding="utf-8")


def _indicators_text() -> str:
    return (folder() / INDICATORS_FILE).read_text(encoding="utf-8")


def _line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), start=1) if needle in line)


def test_a_rule_naming_an_unknown_field_names_the_line() -> None:
    text = _indicators_text().replace('rule = "DMMAX_DAT > PPED - 12 months"',
                                      'rule = "DMMAXX_DAT > PPED - 12 months"', 1)
    line = _line_of(text, "DMMAXX_DAT")
    with pytest.raises(DefinitionError, match=rf"indicators_v46.toml, line {line}: indicator "
                       r"DM020: unknown field DMMAXX_DAT"):
        load_indicators(text, definitions().fields)


def test_a_rejecting_rule_without_a_reason_is_refused() -> None:
    text = _indicators_text().replace('reason = "DMMAX"\n', "", 1)
    with pytest.raises(DefinitionError, match="denominator rule 4: give a reason exactly when "
                       "it rejects"):
        load_indicators(text, definitions().fields)


def test_the_last_rule_must_decide() -> None:
    text = _indicators_text()
    last = text.index('reason = "REG1_DAT3"')
    before = text.rindex('if_false = "select"', 0, last)
    text = text[:before] + 'if_false = "next"' + text[before + len('if_false = "select"'):]
    with pytest.raises(DefinitionError, match="indicator DM006: the last denominator rule must "
                       "select or reject either way"):
        load_indicators(text, definitions().fields)


def test_a_date_compared_with_a_number_is_refused() -> None:
    text = _indicators_text().replace('rule = "PAT_AGE < 40"', 'rule = "DM_DAT < 40"', 1)
    with pytest.raises(DefinitionError, match=rf"line {_line_of(text, 'DM_DAT < 40')}: "
                       r"indicator DM022: a date cannot be compared with a number"):
        load_indicators(text, definitions().fields)


def test_a_field_of_an_unknown_cluster_names_the_line() -> None:
    text = _fields_text().replace('cluster = "DMMAX_COD"', 'cluster = "DMMAXX_COD"', 1)
    with pytest.raises(DefinitionError, match=rf"fields_v46.toml, line "
                       rf"{_line_of(text, 'DMMAXX_COD')}: field DMMAX_DAT: cluster "
                       r"'DMMAXX_COD' is not in qof/clusters/index.csv"):
        load_fields(text, definitions().clusters)


def test_fields_that_refer_to_each_other_in_a_circle_are_refused() -> None:
    text = _fields_text().replace('from = "QSSD"', 'from = "DMINVITE2_DAT"', 1)
    with pytest.raises(DefinitionError, match="fields refer to each other in a circle: "
                       "DMINVITE1_DAT -> DMINVITE2_DAT -> DMINVITE1_DAT"):
        load_fields(text, definitions().clusters)


def test_the_built_in_definitions_load_once() -> None:
    assert defs_module.definitions() is definitions()
    assert [i.id for i in definitions().indicators][:9] == list(DIABETES)
