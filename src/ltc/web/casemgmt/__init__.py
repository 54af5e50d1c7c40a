"""Pages and JSON API of case management: worklist, caseload, allocation,
discharge, nominations, balanced caseloads and hidden populations (CM-1 to CM-3, CM-12,
STRAT-7, POP-5); the
domain is ``ltc.care.casemgmt``."""
