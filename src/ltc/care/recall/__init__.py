"""Register, recall, review in the care plane (DM-2): each run's recall statuses loaded
from its ``recall.parquet`` (``loader.py``), the recall lists per practice
(``lists.py``), invitations naming every item a person is due, with their letter and text
message (``invitations.py``, words in ``letters.py``) delivered through the outbox
(``outbox.py``), and the reviews clinicians record since the run (``reviews.py``), which
the next run's statuses supersede. The statuses themselves are computed by the pipeline
(``ltc.pipeline.recall``) and handed over as files; the pages are ``ltc.web.recall``."""
