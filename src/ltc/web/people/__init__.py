"""Pages and JSON API of the person summary (STRAT-5); the domain is ``ltc.care.people``."""
