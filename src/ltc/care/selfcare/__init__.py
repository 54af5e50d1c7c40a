"""Supported self care (SC-1, SC-2, SC-4, SC-5), level 1 of the pyramid: referrals to
self-care programmes and their progress (``programmes.py``), self-monitoring readings
judged against the person's target with a prompt to their named contact when one is out
of range (``readings.py``, ``targets.py``, ``prompts.py``), goals and action plans in the
person's own words with their reviews (``goals.py``), and signposting to community and
voluntary resources (``signposting.py``, the directory in ``catalogue.py``). The
programmes, measures and targets, and the directory are configuration files
(``catalogue.py``, ``targets.py``, read with ``config.py``); the pages are
``ltc.web.selfcare``."""
