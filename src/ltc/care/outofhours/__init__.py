"""The out-of-hours summary of a person for out-of-hours and ambulance clinicians (CM-5)."""
