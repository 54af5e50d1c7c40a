"""The care plane: the operational domain that clinicians use all day (CM-1 to CM-12;
DM-5 and STRAT-2 in the events and alerts; STRAT-5 in the people loaded from a run).

Each package has the same shape: ``models.py`` (SQLAlchemy tables) and ``services.py``
(what the interfaces call; services never commit); its pages and JSON API are in the
interface layer, ``ltc.web.<package>``. The care store the packages share (``db.py``,
``tables.py``, ``migrations/``) and who may see whom (``access.py``) sit beside them."""
