"""FHIR R4 at the edge, read one way (:mod:`.elements`: codings, references, periods,
times, the encounter class) whether in bulk or in real time:

* bulk ingest into the record plane (POP-2): :mod:`.bundles` (``ltc ingest fhir``),
  :mod:`.reader`, :mod:`.patient`, :mod:`.encounter_types`, :mod:`.medicines`,
  :mod:`.resource_types`;
* the real-time feed (CM-8, CM-9, STRAT-2): :mod:`.messages` and :mod:`.encounter` read an
  Encounter or FHIR message into an event for the care plane;
* the writer (CM-5): :mod:`.careplan` writes a care plan version as a FHIR CarePlan.
"""
