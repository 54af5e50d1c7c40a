"""Alerts: what an event from a hospital or ambulance feed means for whom (CM-8, CM-9,
DM-5, STRAT-2). ``services`` applies the alert rules to one person's event."""
