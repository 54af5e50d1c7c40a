"""The out-of-hours summary's page and FHIR document (CM-5)."""
