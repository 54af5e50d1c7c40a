"""Pages and JSON API of contacts, tasks, referrals and satisfaction responses (CM-6, CM-7,
CM-10, CM-11); the domain is ``ltc.care.work``."""
