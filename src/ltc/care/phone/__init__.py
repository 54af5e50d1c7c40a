"""Telephone care management (DM-7), after the Haringey programme (DH 2005, chapter 3):
calls scheduled with a clinician for people at level 2, a list of each clinician's calls
due, a scripted check built from the person's condition protocols (symptoms, readings,
medicines taken, red flags; ``script.py``), decision support (a red flag escalates the
call to the person's named contact the same day: ``escalation.py``), and the call's
outcome with the next call scheduled (``services.py``). The pages are ``ltc.web.phone``."""
