"""Ingest FHIR R4 Bundles (e.g. Synthea's) into the record plane (POP-2).

Each input file holds one FHIR R4 ``Bundle`` (Synthea writes one ``transaction`` Bundle
per patient, plus organisation-only and practitioner-only Bundles). All files given form
one batch: it is stored completely or not at all. This package only re-exports; its modules:

* :mod:`.bundles`: the files given, read and checked as one batch (:func:`load_bundles`);
* :mod:`.reader`: reads the files, resource by resource, into the neutral Synthea form;
* :mod:`.elements`: element access with located problems, code systems;
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

from ltc.records.ingest.fhir.bundles import MAPPING_VERSION, bundle_files, load_bundles
from ltc.records.ingest.fhir.elements import CODE_SYSTEMS

__all__ = ["CODE_SYSTEMS", "MAPPING_VERSION", "bundle_files", "load_bundles"]
