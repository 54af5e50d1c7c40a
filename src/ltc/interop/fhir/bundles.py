"""Ingest FHIR R4 Bundle files (e.g. Synthea's) into the record plane as one batch (POP-2).

Holds :func:`load_bundles` (the files given, read, mapped and checked as one batch),
:func:`bundle_files` (which files a path names) and the FHIR element each table column
comes from (named in located problems). The edge writes into the record store, which is
below it; ``ltc ingest fhir`` commits the batch.

Each input file holds one FHIR R4 ``Bundle`` (Synthea writes one ``transaction`` Bundle
per patient, plus organisation-only and practitioner-only Bundles). All files given form
one batch: it is stored completely or not at all. The modules it uses:

* :mod:`.reader`: reads the files, resource by resource, into the neutral Synthea form;
* :mod:`.elements`: element access with located problems, code systems, and the element
  reading shared with the real-time Encounter reader;
* :mod:`.patient`: who the person is (name, address, telephone, ethnicity, language);
* :mod:`.encounter_types`: the care setting from class, type and provider together;
* :mod:`.medicines`: MedicationRequest onto prescription issues (long-term medicines);
* :mod:`.resource_types`: the FHIR R4 resource types (anything else is refused).

The tables are then built by :func:`ltc.records.ingest.synthea_common.build_tables`, the
one place shared with the Synthea CSV path, and every value is checked by
:func:`ltc.records.convert.convert_table`. The full mapping, element by element, is in
``docs/fhir-mapping.md``.

The batch is named from its content: source ``synthea-fhir-<8 hex>`` from the sorted
Patient ids it holds (:func:`synthea_common.content_source`), period the month of its
latest date. Two folders of different patients are two batches and add up; the same
patients again (a corrected copy) are the same batch and replace it, which the ingest
reports and guards (:mod:`ltc.records.replacement`).

Resources of R4 types that are not mapped (Procedure, Immunization, CarePlan, ...) are
skipped and counted by type in :attr:`Batch.skipped`; a ``resourceType`` that is not an
R4 type refuses the batch, naming the file and entry.

Sources: HL7 FHIR R4 (4.0.1) resource definitions, https://hl7.org/fhir/R4/; Synthea
FHIR R4 exporter (synthetichealth/synthea, ``FhirR4.java``, ``HealthRecord.java``).
"""

from __future__ import annotations

from pathlib import Path

from ltc.interop.fhir.reader import Reader
from ltc.records.errors import refuse
from ltc.records.ingest import synthea_common as common
from ltc.records.ingest.csv_extract import display, fingerprint
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
