"""Real-time events: hospital ADT messages (HL7 v2 over MLLP, FHIR R4) and ambulance
incidents, matched to people and turned into alerts, tasks and flags by configurable
rules (CM-8, CM-9, DM-5, STRAT-2)."""
