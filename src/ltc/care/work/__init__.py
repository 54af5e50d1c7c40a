"""Working the caseload: contacts, tasks, referrals, satisfaction (CM-6, CM-7, CM-10,
CM-11). Discharge from the caseload is :mod:`ltc.care.casemgmt`'s."""
