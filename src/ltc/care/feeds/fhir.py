"""Re-exports the real-time FHIR R4 Encounter and message reader; the code now lives in
:mod:`ltc.interop.fhir.messages` and :mod:`ltc.interop.fhir.encounter`."""

from ltc.interop.fhir.encounter import (
    ADMISSION_METHOD_EXTENSION,
    ADMISSION_METHOD_SYSTEM,
    NHS_NUMBER_SYSTEM,
    ODS_SYSTEM,
)
from ltc.interop.fhir.messages import location_of, messages, read, validate, within_entry

__all__ = ["ADMISSION_METHOD_EXTENSION", "ADMISSION_METHOD_SYSTEM", "NHS_NUMBER_SYSTEM",
           "ODS_SYSTEM", "location_of", "messages", "read", "validate", "within_entry"]
