"""The person page's people panel (CM-5 person summary, STRAT-5): who the person is,
their result in the current run (level, why, risk, scores, registers) and their recent
medicines and encounters kept with the run (``ltc.care.people.activity``).

The medicines and encounters do not change while the run is current: on the page they
are rendered once for each run and person (:func:`activity_html`, kept by what was
stored), as a model-scored run's level-3 people often have the most of them (20
encounters and a dozen medicines)."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Any

from markupsafe import Markup
from sqlalchemy import and_

from ltc.care.people import activity
from ltc.care.people.models import PersonActivity, PersonResult, StratRun
from ltc.records.registers import REGISTERS
from ltc.web.pages import TEMPLATES
from ltc.web.people.composer import Joined, Panel, Read

#: people whose medicines and encounters are kept rendered, per server process
KEPT = 5_000


def _age(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


@lru_cache(maxsize=KEPT)
def activity_html(as_of: date | None, encounters: str | None, medicines: str | None) -> Markup:
    """The page's medicines and encounters sections for what a run stored of one person
    (``people/_activity.html.j2``)."""
    return Markup(TEMPLATES.get_template("people/_activity.html.j2").render(
        as_of=as_of, encounters=activity.encounters(encounters),
        medicines=activity.medicines(medicines)))


def context(read: Read) -> dict[str, Any]:
    result, recent, person, run = (read.one["result"], read.one["recent"], read.person,
                                   read.one["run"])
    stored = (recent.encounters, recent.medicines) if recent else (None, None)
    shown: dict[str, Any] = (
        {"activity": activity_html(run.as_of if run else None, *stored)} if read.page else
        {"encounters": activity.encounters(stored[0]),
         "medicines": activity.medicines(stored[1])})
    return {
        "registers": [REGISTERS[r].name if r in REGISTERS else r
                      for r in (result.registers.split(",")
                                if result and result.registers else [])],
        **shown,
        "age": _age(person.date_of_birth, date.today()) if person.date_of_birth else
        (result.age if result else None),
    }


PANEL = Panel(
    "people",
    joined=(Joined("run", StratRun, lambda nhs: StratRun.current.is_(True)),
            Joined("result", PersonResult, lambda nhs: and_(
                PersonResult.run_id == StratRun.id, PersonResult.nhs_number == nhs)),
            Joined("recent", PersonActivity, lambda nhs: and_(
                PersonActivity.run_id == StratRun.id, PersonActivity.nhs_number == nhs))),
    context=context)
