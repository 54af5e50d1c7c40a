"""Interoperability at the edge: outside wire formats read into typed events and written
from the care plane's records. ``hl7v2`` (HL7 v2 ADT parsing, acknowledgements, the MLLP
server), ``fhir`` (the real-time FHIR Encounter reader, the CarePlan writer), ``ambulance``
(the ambulance incident feed) and ``event`` (the one event every feed produces).

Nothing here imports the care plane: the MLLP server is given the function that applies a
message (CM-8, CM-9, CM-5, DM-5, STRAT-2)."""
