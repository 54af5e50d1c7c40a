"""Pages of medicines and adherence (SC-3): the practice's medicines lists (medication
review due, low adherence, polypharmacy)."""
