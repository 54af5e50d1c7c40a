"""Clinical records of a chunk of synthetic people: prescribing, observations, diagnoses (POP-2,
SC-3).

Prescriptions (repeat medicines for each register from :mod:`ltc.synth.formulary`, plus
short courses) and their dispensing (which differs from the issues: some are never
collected, some late, by each person's tendency, :data:`TENDENCY`), the observations
measured in long-term condition care (HbA1c, blood pressure, eGFR, BMI, cholesterol) and
the coded diagnoses (each register's own SNOMED CT codes, some resolved, and the ICD-10
diagnoses of hospital spells). Called by :func:`ltc.synth.activity.generate` for each
chunk, in a fixed order, so that the same seed gives the same community.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from ltc.synth import formulary
from ltc.synth.draw import (
    BoolArray,
    Draw,
    FloatArray,
    IntArray,
    dates,
    nhs,
    nullable_dates,
    ordered,
    text,
)
from ltc.synth.health import Health
from ltc.synth.population import Community

#: SNOMED CT observable entities (GM-SDE clinical code sets: tests/hba1c, tests/egfr,
#: tests/systolic-blood-pressure, tests/diastolic-blood-pressure, patient/bmi,
#: tests/cholesterol; commit 6cf10afc0d745a557b2e8dd7e0b1d4b61ea40e42).
HBA1C = "999791000000106"
EGFR = "1011481000000105"
SYSTOLIC = "72313002"
DIASTOLIC = "271650006"
BMI = "60621009"
CHOLESTEROL = "1005671000000105"

#: Dispensing (SC-3 test and demo data). "Only about 50% of medicines are taken as
#: prescribed" (Department of Health, Supporting People with Long Term Conditions, 2005,
#: "The problem"). Each person has a tendency to collect their repeat medicines, drawn
#: once (Beta(TENDENCY): most collect most issues, some seldom do), each of their
#: medicines its own variation around it (a normal spread of MEDICINE_SPREAD on the
#: logit scale); each issue is collected with that chance, a few days after it was issued
#: (0 to 3), and now and then weeks late (LATE_CHANCE x the chance of not collecting,
#: LATE_MEAN_DAYS on average). Short courses are collected with ACUTE_COLLECTED.
#: Calibrated so that about half of people's long-term medicines have a proportion of
#: days covered of 80% or more (ltc.pipeline.medicines; tests/synth/test_dispensing.py,
#: docs/decisions/0003-synthetic-community.md).
TENDENCY = (3.5, 1.5)
MEDICINE_SPREAD = 0.5
LATE_CHANCE = 0.5
LATE_MEAN_DAYS = 14.0
ACUTE_COLLECTED = 0.95
#: The key of the dispensing draws' own random stream ("disp").
DISPENSING_STREAM = 0x64697370


def prescribing(rng: np.random.Generator, d: Draw, c: Community, h: Health,
                 regs: dict[str, BoolArray]) -> tuple[dict[str, pa.Array], dict[str, pa.Array]]:
    people = d.people
    drugs = formulary.ALL
    index = {drug.code: i for i, drug in enumerate(drugs)}
    who_parts, drug_parts, start_parts = [], [], []
    first_day = h.year_start[0]
    treated = _drug_treated_registers()
    for register, options in formulary.BY_REGISTER.items():
        has = np.flatnonzero(regs[register])
        if not len(has) or not options:
            continue
        onset = h.onset[register][people[has]]
        for rank, option in enumerate(options):
            # registers that need a recent drug (QOF asthma, epilepsy): everyone on them
            # takes the first medicine, as people on a QOF register are treated
            share = 1.0 if rank == 0 and register in treated else 0.85 / (1 + 0.6 * rank)
            takes = has[rng.random(len(has)) < share]
            who_parts.append(people[takes])
            drug_parts.append(np.full(len(takes), index[option.code]))
            start_parts.append(np.maximum(onset[np.isin(has, takes)], first_day))
    older = np.flatnonzero(c.age[people] >= 65)
    for extra in formulary.OLDER_AGE:
        takes = older[rng.random(len(older)) < 0.15]
        who_parts.append(people[takes])
        drug_parts.append(np.full(len(takes), index[extra.code]))
        start_parts.append(first_day + rng.integers(-400, 900, len(takes)))
    who = np.concatenate(who_parts)
    drug = np.concatenate(drug_parts)
    start = np.maximum(np.concatenate(start_parts), first_day)
    # repeat issues every 56 days from the start (with a random phase) to the end or death
    start = start + rng.integers(0, 56, len(who))
    stop = np.minimum(h.year_start[-1], h.death_day[who])
    issues = np.maximum(0, (stop - start + 55) // 56)
    r_who = np.repeat(who, issues)
    r_drug = np.repeat(drug, issues)
    offsets = np.arange(issues.sum()) - np.repeat(np.cumsum(issues) - issues, issues)
    r_day = np.repeat(start, issues) + 56 * offsets
    # short courses
    aw, aday = d.yearly(lambda y: 0.8 * (1 + 0.2 * d.n_ltc(y)))
    acute_codes = np.array([index[a.code] for a in formulary.ACUTE])
    a_drug = acute_codes[rng.integers(0, len(acute_codes), len(aw))]
    all_who = np.concatenate([r_who, aw])
    all_day = np.concatenate([r_day, aday])
    all_drug = np.concatenate([r_drug, a_drug])
    repeat = np.concatenate([np.ones(len(r_who), bool), np.zeros(len(aw), bool)])
    o = ordered(all_who, all_day)
    all_who, all_day, all_drug, repeat = all_who[o], all_day[o], all_drug[o], repeat[o]
    codes = pa.array([x.code for x in drugs])
    names = pa.array([x.name for x in drugs])
    chapters = np.array([x.bnf_chapter for x in drugs])
    costs = np.array([x.cost for x in drugs])
    quantity = np.array([x.quantity for x in drugs])
    take = pa.array(all_drug)
    prescription = {
        "nhs_number": nhs(c, all_who), "date": dates(all_day),
        "drug_code_system": pa.repeat(pa.scalar("bnf"), len(all_who)),
        "drug_code": codes.take(take), "drug_name": names.take(take),
        "bnf_chapter": pa.array(chapters[all_drug]),
        "quantity": pa.array(quantity[all_drug]),
        "cost": pa.array(np.round(costs[all_drug] * rng.uniform(0.95, 1.05, len(all_drug)), 2)),
        "repeat": pa.array(repeat)}
    dispensing = _dispensing(rng, d, c, h, all_who, all_day, all_drug, repeat, codes, quantity)
    return prescription, dispensing


def _stream(rng: np.random.Generator, key: int) -> np.random.Generator:
    """A random stream of its own, derived from the chunk's seed and ``key`` (drawing from
    it leaves the chunk's stream, and every table drawn from it, as it was)."""
    seq = rng.bit_generator.seed_seq
    assert isinstance(seq, np.random.SeedSequence)
    return np.random.default_rng(np.random.SeedSequence(seq.entropy,
                                                        spawn_key=(*seq.spawn_key, key)))


def _dispensing(rng: np.random.Generator, d: Draw, c: Community, h: Health,
                who: IntArray, day: IntArray, drug: IntArray, repeat: BoolArray,
                codes: pa.Array, quantity: FloatArray) -> dict[str, pa.Array]:
    """Dispensings of the issues ``who``, ``day``, ``drug`` (see :data:`TENDENCY`)."""
    # the draws of the earlier dispensing model, still taken from the chunk's stream so that
    # the tables drawn after prescribing (observations, diagnoses) stay as they were
    earlier = 0.55 + 0.45 * rng.beta(4, 1.5, c.size)[who]
    rng.integers(0, 4, int((rng.random(len(who)) < earlier).sum()))
    own = _stream(rng, DISPENSING_STREAM)
    n = len(who)
    tendency = own.beta(*TENDENCY, len(d.people))[who - d.people[0]]
    key = who * (int(drug.max(initial=0)) + 1) + drug
    medicine, index = np.unique(key, return_inverse=True)
    logit = np.log(tendency / (1 - tendency)) + own.normal(0, MEDICINE_SPREAD,
                                                           len(medicine))[index]
    chance = np.where(repeat, 1 / (1 + np.exp(-logit)), ACUTE_COLLECTED)
    collected = own.random(n) < chance
    late = own.random(n) < LATE_CHANCE * (1 - chance)
    delay = own.integers(0, 4, n) + late * np.round(own.exponential(LATE_MEAN_DAYS, n))
    dday = day + delay.astype(np.int64)
    keep = collected & (dday < np.minimum(h.year_start[-1], h.death_day[who]))
    rows = np.flatnonzero(keep)
    rows = rows[ordered(who[rows], dday[rows])]
    return {
        "nhs_number": nhs(c, who[rows]), "date": dates(dday[rows]),
        "drug_code_system": pa.repeat(pa.scalar("bnf"), len(rows)),
        "drug_code": codes.take(pa.array(drug[rows])),
        "quantity": pa.array(quantity[drug[rows]]),
        "_prescription_row": pa.array(rows)}


def observations(rng: np.random.Generator, d: Draw, c: Community, h: Health,
                  regs: dict[str, BoolArray]) -> dict[str, pa.Array]:
    people = d.people
    who_parts, day_parts, code_parts, value_parts, unit_parts = [], [], [], [], []

    def add(mask: BoolArray, per_year: float, code: str, mean: FloatArray | float,
            sd: float, unit: str, decimals: int = 0,
            paired: tuple[str, float, float] | None = None) -> None:
        """Readings of ``code`` at ``per_year`` a year for the people of ``mask``; with
        ``paired`` (code, mean, sd), a second value recorded the same day (a blood
        pressure's diastolic beside its systolic, as QOF reads a reading: both values
        the same day)."""
        w, day = d.yearly(lambda y: mask * per_year)
        local = w - people[0]
        readings = [(code, mean[local] if isinstance(mean, np.ndarray) else mean, sd)]
        if paired is not None:
            readings.append(paired)
        for each, centre, spread in readings:
            who_parts.append(w)
            day_parts.append(day)
            code_parts.append(np.full(len(w), each, dtype=object))
            value_parts.append(np.round(centre + spread * rng.standard_normal(len(w)),
                                        decimals))
            unit_parts.append(np.full(len(w), unit, dtype=object))

    age = c.age[people]
    adult = age >= 18
    dm, ckd = regs["diabetes"], regs["ckd"]
    bp_people = regs["hypertension"] | dm | ckd | regs["chd"] | regs["stroke_tia"]
    add(dm, 2.0, HBA1C, np.where(h.frailty[people] > 1, 66.0, 55.0), 11, "mmol/mol")
    sys_mean = 128 + 0.3 * np.maximum(age - 40, 0) + 6 * regs["hypertension"]
    add(bp_people, 1.2, SYSTOLIC, sys_mean, 14, "mm[Hg]", paired=(DIASTOLIC, 78.0, 9))
    add(adult & ~bp_people & (age >= 40), 0.2, SYSTOLIC, sys_mean, 14, "mm[Hg]",
        paired=(DIASTOLIC, 78.0, 9))
    add(dm | ckd, 1.0, EGFR, np.where(ckd, 44.0, 82.0), 10, "mL/min/{1.73_m2}")
    add(dm | (adult & (rng.random(len(people)) < 0.2)), 0.6, BMI, 28.0, 5, "kg/m2", 1)
    add(dm | regs["chd"], 1.0, CHOLESTEROL, 4.6, 0.9, "mmol/L", 1)
    who = np.concatenate(who_parts)
    day = np.concatenate(day_parts)
    o = ordered(who, day)
    return {"nhs_number": nhs(c, who[o]), "date": dates(day[o]),
            "code_system": pa.repeat(pa.scalar("snomed"), len(o)),
            "code": text(np.concatenate(code_parts)[o]),
            "value": pa.array(np.concatenate(value_parts)[o]),
            "unit": text(np.concatenate(unit_parts)[o])}


def _drug_treated_registers() -> set[str]:
    """Registers whose QOF rule needs a recent prescription (asthma, epilepsy)."""
    from ltc.records.registers import REGISTERS

    return {k for k, r in REGISTERS.items() if r.drug_codelist is not None}


def _own_codes(register: str) -> list[str]:
    """Up to 8 codes of the register that belong to no other register."""
    from ltc.records.registers import REGISTERS

    others = set().union(*(r.codes for k, r in REGISTERS.items() if k != register))
    return sorted(REGISTERS[register].codes - others)[:8]


def diagnoses(rng: np.random.Generator, d: Draw, c: Community, h: Health,
               regs: dict[str, BoolArray], hosp: dict[str, npt.NDArray[np.generic]]
               ) -> dict[str, pa.Array]:
    people = d.people
    who_parts, day_parts, code_parts, system_parts, resolved_parts, setting_parts = \
        [], [], [], [], [], []
    for register, has in regs.items():
        w = people[has]
        codes = _own_codes(register)
        code = np.asarray(codes, dtype=object)[rng.integers(0, len(codes), len(w))]
        who_parts.append(w)
        day_parts.append(h.onset[register][w])
        code_parts.append(code)
        system_parts.append(np.full(len(w), "snomed", dtype=object))
        resolved_parts.append(np.full(len(w), -1))
        setting_parts.append(np.full(len(w), "primary", dtype=object))
        if register in ("asthma", "depression"):
            # some people had the condition and recovered: coded, then resolved
            extra = people[~has & (c.age[people] >= 18)]
            extra = extra[rng.random(len(extra)) < 0.02]
            onset = h.year_start[0] - rng.integers(200, 4000, len(extra))
            onset = np.maximum(onset, c.dob_days[extra] + 365 * 3)
            who_parts.append(extra)
            day_parts.append(onset)
            code_parts.append(np.asarray(codes, dtype=object)[
                rng.integers(0, len(codes), len(extra))])
            system_parts.append(np.full(len(extra), "snomed", dtype=object))
            resolved_parts.append(onset + rng.integers(60, 700, len(extra)))
            setting_parts.append(np.full(len(extra), "primary", dtype=object))
    hw = np.asarray(hosp["who"], dtype=np.int64)
    who_parts.append(hw)
    day_parts.append(np.asarray(hosp["day"], dtype=np.int64))
    code_parts.append(np.asarray(hosp["code"], dtype=object))
    system_parts.append(np.full(len(hw), "icd10", dtype=object))
    resolved_parts.append(np.full(len(hw), -1))
    setting_parts.append(np.full(len(hw), "secondary", dtype=object))
    who = np.concatenate(who_parts)
    day = np.concatenate(day_parts)
    resolved = np.concatenate(resolved_parts)
    end_day = h.year_start[-1] - 1
    resolved_missing = (resolved < 0) | (resolved > end_day)
    o = ordered(who, day)
    return {"nhs_number": nhs(c, who[o]), "code_system":
            text(np.concatenate(system_parts)[o]),
            "code": text(np.concatenate(code_parts)[o]),
            "date": dates(day[o]),
            "resolved_date": nullable_dates(np.maximum(resolved[o], 0), resolved_missing[o]),
            "setting": text(np.concatenate(setting_parts)[o])}
