"""Every table of the care store: importing this module imports each package's models, so
``ltc.care.db.Base.metadata`` holds them all (for migrations and their tests). It sits
above the packages; ``ltc.care.db`` imports none of them (infrastructure: no capability of
its own)."""

from __future__ import annotations


def all_models() -> None:
    """Import every package's models so ``Base.metadata`` holds every table."""
    from ltc.care.achievement import models as _achievement  # noqa: F401
    from ltc.care.assessment import models as _assessment  # noqa: F401
    from ltc.care.audit import models as _audit  # noqa: F401
    from ltc.care.auth import models as _auth  # noqa: F401
    from ltc.care.careplans import models as _careplans  # noqa: F401
    from ltc.care.casemgmt import models as _casemgmt  # noqa: F401
    from ltc.care.contacts import models as _contacts  # noqa: F401
    from ltc.care.coordination import models as _coordination  # noqa: F401
    from ltc.care.events import models as _events  # noqa: F401
    from ltc.care.mdt import models as _mdt  # noqa: F401
    from ltc.care.medicines import models as _medicines  # noqa: F401
    from ltc.care.people import models as _people  # noqa: F401
    from ltc.care.phone import models as _phone  # noqa: F401
    from ltc.care.recall import models as _recall  # noqa: F401
    from ltc.care.selfcare import models as _selfcare  # noqa: F401
    from ltc.care.team import models as _team  # noqa: F401
    from ltc.care.wards import models as _wards  # noqa: F401
    from ltc.care.work import models as _work  # noqa: F401
