"""The care plane: the operational store and services that clinicians use all day
(CM-1 to CM-12). Each package has the same shape: ``models.py`` (SQLAlchemy tables),
``services.py`` (what the views call; services never commit), ``views.py`` (pages) and
``api.py`` (JSON under ``/api/v1``)."""
