"""Pages and JSON API of contacts, tasks and referrals (CM-6, CM-7, CM-10 to CM-12); the domain
is ``ltc.care.work``."""
