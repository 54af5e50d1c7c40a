"""Working the caseload: contacts, tasks, referrals, satisfaction (CM-6, CM-7, CM-10 to
CM-12)."""
