"""Named contacts (DM-3): every person on a disease register has a named clinician, a GP
or practice nurse of their practice (``models.py``); who it is, setting it for one
person, and allocating them in bulk across a practice with a preview and an undo
(``services.py``, ``allocation.py``). The named contact is whom prompts about the person
go to (:func:`ltc.care.contacts.services.named_contact`). The pages are
``ltc.web.contacts``."""
