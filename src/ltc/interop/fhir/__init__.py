"""FHIR R4 at the edge: ``messages`` and ``encounter`` read a real-time Encounter or FHIR
message into an event (CM-8, CM-9, STRAT-2); ``careplan`` writes a care plan version as a
FHIR CarePlan (CM-5)."""
