"""Tests of the edge: HL7 v2, FHIR and the ambulance feed read and written."""
