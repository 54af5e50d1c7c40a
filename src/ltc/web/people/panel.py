"""The person page's people panel (CM-5 person summary, STRAT-5): who the person is,
their result in the current run (level, why, risk, scores, registers) and their recent
medicines and encounters kept with the run (``ltc.care.people.activity``)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import and_

from ltc.care.people import activity
from ltc.care.people.models import PersonActivity, PersonResult, StratRun
from ltc.records.registers import REGISTERS
from ltc.web.people.composer import Joined, Panel, Read


def _age(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def context(read: Read) -> dict[str, Any]:
    result, recent, person = read.one["result"], read.one["recent"], read.person
    return {
        "registers": [REGISTERS[r].name if r in REGISTERS else r
                      for r in (result.registers.split(",")
                                if result and result.registers else [])],
        "encounters": activity.encounters(recent.encounters if recent else None),
        "medicines": activity.medicines(recent.medicines if recent else None),
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
