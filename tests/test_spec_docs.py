"""``docs/specs.md`` is the spec tables of the tests, rendered: it cannot drift from them.

The one spec-table parser (``tests/spec_tables.py``) reads every table the spec tests give
and the Markdown it is rendered into.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from spec_docs import DOC, RENDER_COMMAND, REPO, render, render_file, spec_files
from spec_tables import header_and_rows, markdown, parse


def test_docs_specs_md_is_the_spec_tables_rendered() -> None:
    assert DOC.read_text(encoding="utf-8") == render(), (
        f"docs/specs.md differs from the spec tables in the tests: run `{RENDER_COMMAND}`")


def test_every_spec_test_module_is_found_and_shows_tables() -> None:
    found = {p.relative_to(REPO).as_posix() for p in spec_files()}
    assert {"tests/pipeline/test_features.py", "tests/pipeline/test_windows.py",
            "tests/pipeline/scores/test_efi.py", "tests/pipeline/scores/test_polypharmacy.py",
            "tests/records/test_register_spec.py"} <= found
    for path in spec_files():
        assert "\n| " in render_file(path), f"{path}: no spec table rendered"


def test_a_new_spec_table_appears_under_its_test_with_module_values_filled(
        tmp_path: Path) -> None:
    path = tmp_path / "test_spec_docs_sample.py"
    path.write_text('''"""Sample spec (STRAT-4).

Its second paragraph."""
from spec_tables import check, connect

CODE = "I500"


def test_heart_failure_scores(engine: str) -> None:
    """One diagnosis."""
    con = connect(engine, diagnosis=f"""
        nhs_number | code_system | code   | date
        p1         | icd10       | {CODE} | 2024-01-01
        p2         | icd10       | {engine} | 2024-01-01
        """)
    check(con.table("diagnosis"), "nhs_number | score")
''', encoding="utf-8")
    text = render_file(path)
    assert text.startswith("## Sample spec (STRAT-4).\n\n`test_spec_docs_sample.py`\n\n"
                           "Its second paragraph.\n")
    assert ("### Heart failure scores\n\nOne diagnosis.\n\n*diagnosis*\n\n"
            "| nhs_number | code_system | code | date |\n|---|---|---|---|\n"
            "| p1 | icd10 | I500 | 2024-01-01 |\n| p2 | icd10 | {engine} | 2024-01-01 |\n"
            "\n*expected*\n\n| nhs_number | score |\n|---|---|\n") in text


def test_text_and_markdown_tables_read_alike() -> None:
    text = """
        nhs_number | code | resolved_date
        p1         | I500 |
        p2         |      | 2024-01-01
        """
    header, rows = header_and_rows(text)
    assert header == ["nhs_number", "code", "resolved_date"]
    assert rows == [["p1", "I500", ""], ["p2", "", "2024-01-01"]]
    assert parse(markdown(header, rows)) == parse(text)
    assert parse("| a | b |\n|:--|--:|\n| 1 |  |") == [{"a": "1", "b": ""}]


def test_a_row_of_the_wrong_width_is_refused_naming_its_line() -> None:
    with pytest.raises(ValueError, match=r"line 3: 3 cells, header has 2: 'p2 \| 1 \| 2'"):
        parse("nhs_number | n\np1 | 1\np2 | 1 | 2")
