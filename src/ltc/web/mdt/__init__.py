"""Pages, JSON API, printable record and person-page panel of MDT meetings (DM-4); the
domain is ``ltc.care.mdt``."""
