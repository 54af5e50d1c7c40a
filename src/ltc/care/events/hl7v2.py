"""Re-exports the HL7 v2 ADT parser and acknowledgement; the code now lives in
:mod:`ltc.interop.hl7v2.parser`."""

from ltc.interop.hl7v2.parser import (
    DIED_DISPOSITIONS,
    MAX_MESSAGE,
    PLANNED_0007,
    TRIGGERS,
    UNPLANNED_0007,
    ack,
    control_id_of,
    message_type_of,
    parse,
    read,
    sender_of,
    timestamp,
)

__all__ = ["DIED_DISPOSITIONS", "MAX_MESSAGE", "PLANNED_0007", "TRIGGERS", "UNPLANNED_0007",
           "ack", "control_id_of", "message_type_of", "parse", "read", "sender_of",
           "timestamp"]
