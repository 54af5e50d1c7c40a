"""A synthetic community built once per test module: CSV extracts, ingested like a real one."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from ltc.records.ingest import csv_extract
from ltc.records.store import RecordStore
from ltc.synth.generate import Options, write_extracts


@dataclass
class Built:
    options: Options
    extracts: Path
    truth: Path
    store: RecordStore


def build(root: Path, people: int, seed: int = 7) -> Built:
    options = Options(people=people, seed=seed)
    folders = write_extracts(root / "extracts", options, root / "truth")
    store = RecordStore(root / "records")
    for folder in folders:
        store.commit(csv_extract.load_folder(folder, store=store))
    return Built(options, root / "extracts", root / "truth", store)


@pytest.fixture(scope="module")
def community(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """50,000 people: large enough for every register to be measured within a few percent."""
    return build(tmp_path_factory.mktemp("community"), 50_000)
