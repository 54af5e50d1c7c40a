"""Read FHIR R4 Bundle files as one record-plane batch (POP-2).

Holds :func:`load_bundles` (the files given, read, mapped and checked as one batch),
:func:`bundle_files` (which files a path names) and the FHIR element each table column
comes from (named in located problems). The package docstring
(:mod:`ltc.records.ingest.fhir`) describes the batch naming, the skipped resource types
and the sources.
"""

from __future__ import annotations

from pathlib import Path

from ltc.records.errors import refuse
from ltc.records.ingest import synthea_common as common
from ltc.records.ingest.csv_extract import display, fingerprint
from ltc.records.ingest.fhir.reader import Reader
from ltc.records.store import Batch, RecordStore

MAPPING_VERSION = "fhir-2"
"""Part of the batch fingerprint: a change of mapping re-ingests the same files."""
SOURCE_PREFIX = "synthea-fhir"

PATIENT_FIELDS = {"date_of_birth": "birthDate", "sex": "gender",
                  "date_of_death": "deceasedDateTime", "source_id": "id",
                  "given_name": "name.given", "family_name": "name.family",
                  "address": "address.line", "postcode": "address.postalCode",
                  "telephone": "telecom.value",
                  "ethnic_category": "extension(Extension-UKCore-EthnicCategory)",
                  "main_language": "communication.language",
                  "interpreter_required": "extension(interpreterRequired)"}
ENCOUNTER_FIELDS = {"record_id": "id", "date": "period.start",
                    "admission_date": "period.start", "discharge_date": "period.end"}


def bundle_files(paths: list[Path] | Path) -> list[Path]:
    """The files to read: each path given, or every ``*.json`` in a folder given."""
    found: list[Path] = []
    for path in [paths] if isinstance(paths, Path | str) else paths:
        path = Path(path)
        found += sorted(path.glob("*.json")) if path.is_dir() else [path]
    return found


def load_bundles(paths: list[Path] | Path, store: RecordStore, source: str | None = None,
                 period: str | None = None, *, validate: bool = False) -> Batch:
    """Read and check FHIR Bundle files as one batch (not committed: see ``store.commit``).

    ``store`` is only read, for the NHS numbers already given to Synthea patients.
    ``source`` defaults to ``synthea-fhir-<8 hex>`` named from the batch's patients,
    ``period`` to the month of the latest date in the batch. ``validate`` also checks
    every mapped resource against the ``fhir.resources`` R4B models (slow).
    Raises :class:`~ltc.records.errors.IngestError` naming file, entry and element.
    """
    files = bundle_files(paths)
    where = display(Path(paths)) if isinstance(paths, Path | str) else (
        f"{len(files)} FHIR bundle file{'s' if len(files) != 1 else ''}")
    if not files:
        raise refuse(where, None, "holds no .json files; expected FHIR R4 Bundle files")
    if source is not None:
        common.check_batch_name(source, period, where)
    elif period is not None:
        common.check_batch_name(SOURCE_PREFIX, period, where)
    reader = Reader(validate)
    for path in files:
        if not path.is_file():
            reader.c.problem(display(path), None, "does not exist; expected a FHIR Bundle file")
            continue
        reader.read(path)
    reader.finish()
    tables = common.build_tables(reader.c, store, where, PATIENT_FIELDS, ENCOUNTER_FIELDS)
    source = source or common.content_source(SOURCE_PREFIX, reader.c.patients)
    period = period or common.default_period(tables, where)
    digest = fingerprint(files, extra=f"{MAPPING_VERSION}:{source}/{period}")
    return Batch(source, period, digest, tables, skipped=dict(reader.c.skipped),
                 details=common.details(reader.c, tables))
