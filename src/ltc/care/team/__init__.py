"""The wider team (CM-5: what each professional and agency will do; CM-1's other
professionals, the integrated teams of virtual wards): community and district nurses,
social workers, allied health professionals, mental health and palliative care nurses;
whom they are allocated to and the care-plan actions assigned to a user, with their
status."""
