"""Pages and JSON API of the inbox, alerts, flags and admission reviews (CM-8, CM-9, DM-5,
STRAT-2); the domain is ``ltc.care.events``."""
