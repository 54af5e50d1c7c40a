"""Medicines and adherence in the care plane (SC-3): each run's ``medicines.parquet``
loaded with the run (``loader.py``) into one row per person with a long-term medicine
(``models.py``), and the practice's three medicines lists (``lists.py``): medication
review due, low adherence (a long-term medicine covered on fewer than 80% of days) and
polypharmacy (10 or more medicines). The figures themselves are computed by the pipeline
(``ltc.pipeline.medicines``) and handed over as files; the pages are
``ltc.web.medicines``."""
