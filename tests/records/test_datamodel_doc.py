"""docs/data-model.md is generated from the schema: it must say what the schema says."""

from __future__ import annotations

from pathlib import Path

from ltc.records.datamodel_doc import render
from ltc.records.schema import TABLES

DOC = Path(__file__).resolve().parents[2] / "docs" / "data-model.md"


def test_committed_data_model_matches_the_schema() -> None:
    assert DOC.read_text() == render(), (
        "docs/data-model.md is out of date: run `uv run ltc records data-model > "
        "docs/data-model.md`")


def test_every_field_is_documented_with_a_description() -> None:
    text = render()
    for spec in TABLES.values():
        assert f"### `{spec.name}`" in text
        for field in spec.fields:
            assert field.description.strip(), f"{spec.name}.{field.name} has no description"
            assert f"| `{field.name}` |" in text
