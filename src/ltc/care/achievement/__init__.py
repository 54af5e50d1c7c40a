"""Practice achievement in the care plane (DM-6): each run's ``achievement.parquet``
(numerator, denominator, exceptions and achievement per indicator per practice, locality
and community) and, from ``indicators.parquet``, the people behind each gap (not met) and
those excepted, loaded with the run (``loader.py``, ``models.py``); the practice's
figures beside its locality's and the community's, and the people of one indicator
(``figures.py``); the indicators' wording and the exception reasons' words
(``labels.py``). The figures themselves are computed by the pipeline
(``ltc.pipeline.achievement``) and handed over as files; the pages are
``ltc.web.achievement``."""
