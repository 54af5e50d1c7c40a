"""Interoperability at the edge: every HL7 v2 and FHIR byte is read or written here, and
handed to the care plane as its events (CM-5, CM-8, CM-9, DM-5, STRAT-2, POP-2).

``feeds`` reads each feed's messages and calls the care services with what it read;
``hl7v2`` (HL7 v2 ADT parsing, acknowledgements, the MLLP server and listener, test
messages); ``fhir`` (FHIR R4 read one way: the real-time Encounter reader and the bulk
Bundle ingest into the record plane; the CarePlan writer); ``ambulance`` (the ambulance
incident reader); ``details`` (kept messages read again for the record plane).

Interfaces import downwards: this package uses the care plane (events, services) and the
record store, and neither of them imports it. Nothing here commits a transaction except
the listener loop, which owns one per message.
"""
