"""The wider team (VW-3): community and district nurses, social workers, allied health
professionals, mental health and palliative care nurses; whom they are allocated to and
the care-plan actions assigned to a user, with their status."""
