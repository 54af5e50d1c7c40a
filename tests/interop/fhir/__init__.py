"""FHIR R4: bulk ingest of Bundles, the element reader shared with the real-time feed."""
