"""Multi-disciplinary team meetings per practice (DM-4): a meeting with its date and
attendees (``models.py``), its agenda built when it is created from the care store's
own records (``agenda.py``: new level-3 entrants, admissions and discharges, the
biggest rises in risk, clinicians' nominations, open avoidable-admission reviews, each
line saying why), and for each person discussed the notes, the decision and the actions,
each action a task with its owner and due date; a meeting is closed when done and its
record printed (``services.py``). The pages and API are ``ltc.web.mdt``."""
