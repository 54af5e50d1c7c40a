"""Re-exports the HL7 v2 test-message writer and MLLP sender; the code now lives in
:mod:`ltc.interop.hl7v2.adt`."""

from ltc.interop.hl7v2.adt import ack_code, message, send

__all__ = ["ack_code", "message", "send"]
