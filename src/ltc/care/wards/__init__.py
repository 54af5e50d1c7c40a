"""Virtual wards (VW-1): a ward per group of practices with its co-ordinator, staff and
capacity (``models.py``); admission (step-up from the worklist, an MDT or a referral;
step-down from hospital discharge), discharge with an outcome and the daily ward round
(``services.py``); the daily board (``board.py``); occupancy and length of stay
(``occupancy.py``). The pages are ``ltc.web.wards``; who may see a ward's people is
``ltc.care.access``."""
