"""Ingest paths into the record store: CSV extracts, FHIR R4 bundles, Synthea CSV (POP-1,
POP-2)."""
