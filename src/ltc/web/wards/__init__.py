"""Pages of virtual wards (VW-1): the wards and their settings, the daily board, the
occupancy page, a person's ward page (admit, discharge) and the ward round; the domain
is ``ltc.care.wards``."""
