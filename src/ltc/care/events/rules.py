"""The alert rules as configuration (``ltc/data/policy/alerts.toml``), and working days
(CM-8, CM-9, DM-5, STRAT-2).

A rules file is TOML; every setting has a default in the packaged file, a file names
only what it changes, and a setting of the wrong type or an unknown setting is refused
with the file and setting named.
"""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from datetime import date, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

#: kinds of alert, as the inbox shows them
ALERT_KINDS = {
    "admission": "Admitted to hospital",
    "practice_admission": "Admitted to hospital",
    "practice_discharge": "Discharged from hospital",
    "ambulance_not_conveyed": "Ambulance attended, not taken to hospital",
    "frequent_caller": "Frequent ambulance caller",
    "bereavement": "Carer died or bereaved: review",
    # made by the practice team's work, not by a feed's message
    "red_flag": "Red flag on a telephone check: act today",
    "self_monitoring": "Self-monitoring reading out of range",
}
#: kinds of task the rules make, as pages show them
TASK_KINDS = {
    "discharge_planning": "Discharge planning",
    "follow_up": "Follow-up contact after discharge",
    "admission_review": "Avoidable admission review",
    "red_flag": "Red flag on a telephone check",
    "self_monitoring": "Self-monitoring reading out of range",
    "mdt_action": "MDT meeting action",
}


class RulesError(ValueError):
    """A rules file that cannot be used, naming the file and the setting."""


@dataclass(frozen=True)
class Rules:
    id: str
    name: str
    alert_case_manager: bool
    discharge_planning_working_days: int
    practice_alert_levels: tuple[int, ...]
    follow_up_working_days: int
    review: bool
    review_working_days: int
    non_conveyance_alert: bool
    frequent_caller_calls: int
    frequent_caller_days: int
    bereavement_flag: bool
    carer_relationships: tuple[str, ...]
    bank_holidays: frozenset[date]

    def add_working_days(self, start: date, days: int) -> date:
        """The date ``days`` working days after ``start``, counting each working day (not
        a weekend or bank holiday) after it: a Friday's, a Saturday's and a Sunday's 2
        working days all end on the Tuesday. With ``days`` 0: ``start``, or the next
        working day when it is not one."""
        day = self._covered(start)
        if days == 0:
            while not self.working(day):
                day += timedelta(days=1)
        for _ in range(days):
            day += timedelta(days=1)
            while not self.working(day):
                day += timedelta(days=1)
        return self._covered(day)

    @property
    def calendar_ends(self) -> date | None:
        """The last day the bank holidays are known for (31 December of the last year
        listed); None when none are listed."""
        return date(max(self.bank_holidays).year, 12, 31) if self.bank_holidays else None

    def _covered(self, day: date) -> date:
        ends = self.calendar_ends
        if ends is not None and day > ends:
            raise RulesError(f"the bank holidays in the alert rules ({self.name}) end with "
                             f"{ends.year}, so working days after it cannot be counted: "
                             f"add {day.year}'s (gov.uk/bank-holidays) to [calendar] "
                             "bank_holidays")
        return day

    def working(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self.bank_holidays


#: (section, setting, field, type)
_SETTINGS: tuple[tuple[str, str, str, type], ...] = (
    ("admission", "alert_case_manager", "alert_case_manager", bool),
    ("admission", "discharge_planning_working_days", "discharge_planning_working_days", int),
    ("admission", "practice_alert_levels", "practice_alert_levels", list),
    ("discharge", "follow_up_working_days", "follow_up_working_days", int),
    ("avoidable_admission", "review", "review", bool),
    ("avoidable_admission", "review_working_days", "review_working_days", int),
    ("ambulance", "non_conveyance_alert", "non_conveyance_alert", bool),
    ("ambulance", "frequent_caller_calls", "frequent_caller_calls", int),
    ("ambulance", "frequent_caller_days", "frequent_caller_days", int),
    ("bereavement", "flag", "bereavement_flag", bool),
    ("bereavement", "carer_relationships", "carer_relationships", list),
    ("calendar", "bank_holidays", "bank_holidays", list),
)


@functools.cache
def _default_text() -> str:
    return resources.files("ltc.data.policy").joinpath("alerts.toml").read_text()


def _toml(text: str, where: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise RulesError(f"{where}: not valid TOML: {err}") from None


def parse(text: str, where: str) -> Rules:
    """The rules in ``text`` (from ``where``), each missing setting taken from the
    packaged defaults."""
    defaults, given = _toml(_default_text(), "default alert rules"), _toml(text, where)
    known = {s for s, _, _, _ in _SETTINGS}
    for section, value in given.items():
        if section in ("id", "name"):
            continue
        if section not in known or not isinstance(value, dict):
            raise RulesError(f"{where}: [{section}] is not a section of the alert rules; "
                             f"the sections are {', '.join(sorted(known))}")
        for name in value:
            if (section, name) not in {(s, n) for s, n, _, _ in _SETTINGS}:
                raise RulesError(f"{where}: [{section}] {name} is not a setting; see "
                                 "ltc/data/policy/alerts.toml for every setting")
    values: dict[str, Any] = {}
    for section, name, field, kind in _SETTINGS:
        value = given.get(section, {}).get(name, defaults[section][name])
        if kind is int and (isinstance(value, bool) or not isinstance(value, int)):
            raise RulesError(f"{where}: [{section}] {name} must be a whole number, not "
                             f"{value!r}")
        if kind is bool and not isinstance(value, bool):
            raise RulesError(f"{where}: [{section}] {name} must be true or false, not "
                             f"{value!r}")
        if kind is list and not isinstance(value, list):
            raise RulesError(f"{where}: [{section}] {name} must be a list, not {value!r}")
        if kind is int and value < 0:
            raise RulesError(f"{where}: [{section}] {name} must be 0 or more, not {value}")
        values[field] = value
    levels = values["practice_alert_levels"]
    if any(not isinstance(v, int) or isinstance(v, bool) or v not in (0, 1, 2, 3)
           for v in levels):
        raise RulesError(f"{where}: [admission] practice_alert_levels must list pyramid "
                         f"levels 0 to 3, not {levels!r}")
    holidays = values["bank_holidays"]
    if any(not isinstance(d, date) for d in holidays):
        raise RulesError(f"{where}: [calendar] bank_holidays must list dates such as "
                         "2026-12-25")
    if values["frequent_caller_calls"] < 1 or values["frequent_caller_days"] < 1:
        raise RulesError(f"{where}: [ambulance] frequent_caller_calls and "
                         "frequent_caller_days must be 1 or more")
    values["practice_alert_levels"] = tuple(levels)
    values["carer_relationships"] = tuple(str(r) for r in values["carer_relationships"])
    values["bank_holidays"] = frozenset(holidays)
    return Rules(id=str(given.get("id", defaults["id"])),
                 name=str(given.get("name", defaults["name"])), **values)


def load(path: Path | None = None) -> Rules:
    """The rules in ``path``, or the packaged defaults."""
    if path is None:
        return parse(_default_text(), "default alert rules")
    if not Path(path).is_file():
        raise RulesError(f"{path}: no such alert rules file")
    return parse(Path(path).read_text(), str(path))
