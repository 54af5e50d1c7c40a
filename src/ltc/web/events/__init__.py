"""Pages and JSON API of the inbox, alerts and admission reviews (CM-8, CM-9); the domain is
``ltc.care.events``."""
