"""Review items in the synthetic records, so recall looks like a real practice's (DM-2: test
and demo data).

For each person with a condition that has a protocol (:mod:`ltc.protocols`, the packaged
defaults), each year of the history after onset, an annual review may take place around the
same time of year (the person's review month, give or take 3 weeks); an item due every 6
months gets a second review half a year later. Whether a person turns up is their own
habit: a chance drawn once per person (mean :data:`ATTENDANCE_MEAN`), so the same people
tend to miss their reviews year after year, as recall systems find. At a review each item
is recorded with its own chance (:data:`RECORDED`), as an ``observation`` row with a code of
the item's code list and, for items with values, a value. The flu vaccination is given in
the autumn with the season's uptake and retinal screening happens at the screening
programme's own date. A few people a year have an exception recorded (the protocol's own
exception code: informed dissent or unsuitable).

Calibration (as of the history's end, 12-month items): about 80% of people on a register
have each item recorded in the last 12 months (``tests/pipeline/test_recall_synth.py``), in
the range of QOF achievement of the process indicators (70 to 90% in England, NHS Digital
QOF publications). Flu uptake: 78% aged 65 and over, 41% under 65 in clinical risk groups
(UKHSA surveillance of influenza, winter 2023 to 2024). Retinal screening: 80% a year (NHS
Diabetic Eye Screening Programme uptake, England, about 80%).

Items :mod:`ltc.synth.clinical` already measures for a condition (HbA1c in diabetes, blood
pressure in hypertension, ...; :data:`MEASURED`) are not drawn again. Everything is drawn from
its own random stream, so adding reviews changed no other table, and the same seed gives the
same reviews.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ltc.protocols import Item, Protocol, load
from ltc.synth.draw import BoolArray, Draw, FloatArray, IntArray, dates, nhs, text
from ltc.synth.health import YEARS, Health
from ltc.synth.population import Community

#: Mean chance that a person attends their annual review (Beta(6, 1): most attend every
#: year, a few seldom do).
ATTENDANCE_MEAN = 6 / 7
ATTENDANCE = (6.0, 1.0)
#: Chance that an item is recorded at a review the person attends (default 0.93).
RECORDED: dict[str, float] = {"spirometry": 0.75, "inhaler_technique": 0.85,
                              "foot_check": 0.92, "care_plan_review": 0.88}
DEFAULT_RECORDED = 0.93
#: Flu uptake in a season by age (UKHSA, winter 2023 to 2024: 77.8% aged 65 and over,
#: 41.4% under 65 in clinical risk groups).
FLU_UPTAKE_65 = 0.78
FLU_UPTAKE_UNDER_65 = 0.41
#: Diabetic eye screening uptake in a year (NHS DESP, England: about 80%).
RETINAL_UPTAKE = 0.80
#: Chance a year that a person's record gains an exception of the condition's protocol
#: (informed dissent or unsuitable), a few per cent as QOF's personalised care adjustment
#: rates are.
EXCEPTION_RATE = 0.03
#: (condition, item) pairs whose codes :mod:`ltc.synth.clinical` already records
#: opportunistically for people with the condition: HbA1c and cholesterol in diabetes,
#: blood pressure in diabetes, hypertension, CKD, CHD and stroke, eGFR in CKD, cholesterol
#: in CHD.
MEASURED = frozenset({
    ("diabetes", "hba1c"), ("diabetes", "blood_pressure"), ("diabetes", "cholesterol"),
    ("hypertension", "blood_pressure"), ("ckd", "blood_pressure"), ("ckd", "egfr"),
    ("chd", "blood_pressure"), ("chd", "cholesterol"), ("stroke_tia", "blood_pressure")})
#: Values drawn for an item's value components: (mean, standard deviation, unit, decimals),
#: one per component, by item id (the condition's own mean where it differs).
VALUES: dict[str, tuple[tuple[float, float, str, int], ...]] = {
    "blood_pressure": ((128.0, 14.0, "mm[Hg]", 0), (78.0, 9.0, "mm[Hg]", 0)),
    "hba1c": ((38.0, 4.0, "mmol/mol", 0),),  # not diabetic (SMI physical health check)
    "cholesterol": ((4.9, 1.0, "mmol/L", 1),),
    "urine_acr": ((2.0, 1.5, "mg/mmol", 1),),
    "egfr": ((44.0, 10.0, "mL/min/{1.73_m2}", 0),),
    "renal_function": ((58.0, 14.0, "mL/min/{1.73_m2}", 0),),
    "bmi": ((30.0, 6.0, "kg/m2", 1),),
}
_SEASON_DAYS = (45, 120)  # flu given 15 September to mid-December (days after 1 August)


@dataclass(frozen=True)
class _Rows:
    who: IntArray
    day: IntArray
    code: np.ndarray
    value: FloatArray
    unit: np.ndarray


@cache
def _protocols() -> dict[str, Protocol]:
    return load()


def _codes(item: Item) -> tuple[str, list[str]]:
    """The code a review records for ``item``, and the code of each value component."""
    components = [sorted(item.codes & values or values)[0] for values in item.values]
    return (components[0] if components else sorted(item.codes)[0]), components


def observations(rng: np.random.Generator, d: Draw, c: Community, h: Health,
                 regs: dict[str, BoolArray]) -> dict[str, pa.Array]:
    """The review-item ``observation`` rows of the chunk (columns as
    :func:`ltc.synth.clinical.observations` gives them)."""
    people = d.people
    attend = rng.beta(*ATTENDANCE, len(people))
    end_day = h.year_start[-1] - 1
    parts: list[_Rows] = []
    for condition, protocol in _protocols().items():
        has = np.flatnonzero(regs.get(protocol.register, np.zeros(len(people), bool)))
        if not len(has):
            continue
        who = people[has]
        onset = h.onset[protocol.register][who]
        phase = rng.integers(0, 365, len(has))
        if protocol.exception_codes:
            picked, day = _yearly(rng, h, who, rng.integers(0, 365, len(has)),
                                  np.full(len(has), EXCEPTION_RATE), 1)
            keep = (day >= onset[picked]) & (day >= h.year_start[0]) & (day <= end_day) & (
                day < h.death_day[who[picked]])
            code = sorted(protocol.exception_codes)[0]
            parts.append(_Rows(who[picked][keep], day[keep],
                               np.full(keep.sum(), code, dtype=object),
                               np.full(keep.sum(), np.nan),
                               np.full(keep.sum(), None, dtype=object)))
        for item in protocol.items:
            if (condition, item.id) in MEASURED:
                continue
            if item.season is not None:
                days = _flu_days(rng, c, h, who)
            elif item.id == "retinal_screening":
                days = _yearly(rng, h, who, rng.integers(0, 365, len(has)),
                               np.full(len(has), RETINAL_UPTAKE), 1)
            else:
                per_year = max(1, 12 // (item.interval_months or 12))
                days = _yearly(rng, h, who, phase, attend[has] * RECORDED.get(
                    item.id, DEFAULT_RECORDED), per_year)
            picked, day = days
            keep = ((day >= onset[picked]) & (day >= h.year_start[0])
                    & (day < h.death_day[who[picked]]) & (day <= end_day)
                    & (day >= c.dob_days[who[picked]]))
            picked, day = picked[keep], day[keep]
            parts.extend(_rows(rng, condition, item, who[picked], day, regs, people))
    if not parts:
        return _columns(c, _Rows(np.zeros(0, np.int64), np.zeros(0, np.int64),
                                 np.zeros(0, object), np.zeros(0), np.zeros(0, object)))
    rows = _Rows(*(np.concatenate([getattr(p, f) for p in parts])
                   for f in ("who", "day", "code", "value", "unit")))
    order = np.lexsort((rows.day, rows.who))
    return _columns(c, _Rows(rows.who[order], rows.day[order], rows.code[order],
                             rows.value[order], rows.unit[order]))


def _yearly(rng: np.random.Generator, h: Health, who: IntArray, phase: IntArray,
            chance: FloatArray, per_year: int) -> tuple[IntArray, IntArray]:
    """(index into ``who``, day) of reviews: ``per_year`` a year at the person's phase,
    give or take 3 weeks, each taking place with ``chance``."""
    picked, days = [], []
    for y in range(YEARS):
        for k in range(per_year):
            day = (h.year_start[y] + (phase + k * 365 // per_year) % 365
                   + rng.integers(-21, 22, len(who)))
            held = rng.random(len(who)) < chance
            picked.append(np.flatnonzero(held))
            days.append(day[held])
    return np.concatenate(picked), np.concatenate(days)


def _flu_days(rng: np.random.Generator, c: Community, h: Health, who: IntArray
              ) -> tuple[IntArray, IntArray]:
    """(index into ``who``, day) of flu vaccinations, one chance a season."""
    from datetime import date, timedelta

    epoch = date(1970, 1, 1)
    first = epoch + timedelta(days=int(h.year_start[0]))
    last = epoch + timedelta(days=int(h.year_start[-1]))
    picked, days = [], []
    for year in range(first.year - 1, last.year + 1):
        august = (date(year, 8, 1) - epoch).days
        age = c.age[who] - (h.year_start[-1] - august) // 365
        uptake = np.where(age >= 65, FLU_UPTAKE_65, FLU_UPTAKE_UNDER_65)
        given = rng.random(len(who)) < uptake
        picked.append(np.flatnonzero(given))
        days.append(august + rng.integers(*_SEASON_DAYS, given.sum()))
    return np.concatenate(picked), np.concatenate(days)


def _rows(rng: np.random.Generator, condition: str, item: Item, who: IntArray,
          day: IntArray, regs: dict[str, BoolArray], people: IntArray) -> list[_Rows]:
    code, components = _codes(item)
    shapes = VALUES.get(item.id, ())
    if not components or not shapes:
        return [_Rows(who, day, np.full(len(who), code, dtype=object),
                      np.full(len(who), np.nan), np.full(len(who), None, dtype=object))]
    out = []
    ckd = regs["ckd"][who - people[0]] if "ckd" in regs else np.zeros(len(who), bool)
    for component, (mean, sd, unit, decimals) in zip(components, shapes, strict=False):
        centre = np.where(ckd, mean * 3, mean) if item.id == "urine_acr" else mean
        value = np.round(np.maximum(centre + sd * rng.standard_normal(len(who)), 0.0),
                         decimals)
        out.append(_Rows(who, day, np.full(len(who), component, dtype=object), value,
                         np.full(len(who), unit, dtype=object)))
    if code not in components:  # the item's own code, recorded beside its values
        out.append(_Rows(who, day, np.full(len(who), code, dtype=object),
                         np.full(len(who), np.nan), np.full(len(who), None, dtype=object)))
    return out


def _columns(c: Community, rows: _Rows) -> dict[str, pa.Array]:
    n = len(rows.who)
    return {"nhs_number": nhs(c, rows.who), "date": dates(rows.day),
            "code_system": pa.repeat(pa.scalar("snomed"), n), "code": text(rows.code),
            "value": pa.array(rows.value, pa.float64(), mask=np.isnan(rows.value)),
            "unit": pa.array(rows.unit, pa.string())}


def add(observed: dict[str, pa.Array], reviews: dict[str, pa.Array]) -> dict[str, pa.Array]:
    """The chunk's observations with its review rows, ordered by NHS number and date."""
    names = list(observed)
    table = pa.concat_tables([pa.table({k: observed[k] for k in names}),
                              pa.table({k: reviews[k].cast(observed[k].type)
                                        for k in names})])
    order = pc.sort_indices(table, sort_keys=[("nhs_number", "ascending"),
                                              ("date", "ascending")])
    table = table.take(order)
    return {k: table.column(k).combine_chunks() for k in names}
