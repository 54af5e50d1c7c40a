"""Service use of a chunk of synthetic people over the history (POP-2).

Every kind of encounter the seeds name is drawn here from the latent health in
:mod:`ltc.synth.health`: GP consultations, prescriptions and dispensing, observations,
outpatient and A&E attendances, elective and emergency admissions (with lengths of stay
that are skewed and longer in older and iller people), ambulance incidents with
non-conveyance, community nursing, social care packages and contacts, falls,
bereavement, carer death and functional impairment. Rates are tuned to the England
figures in the project's reference data (about 5 GP consultations, 1.7 outpatient
appointments, 0.45 A&E attendances, 0.11 emergency admissions and 0.16 ambulance
incidents per person per year).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from ltc.synth import formulary
from ltc.synth.health import YEARS, Health
from ltc.synth.population import Community

# simulation arrays mix integer, float and boolean rates freely: typed loosely
IntArray = npt.NDArray[Any]
FloatArray = npt.NDArray[Any]
BoolArray = npt.NDArray[Any]

#: SNOMED CT observable entities (GM-SDE clinical code sets: tests/hba1c, tests/egfr,
#: tests/systolic-blood-pressure, tests/diastolic-blood-pressure, patient/bmi,
#: tests/cholesterol; commit 6cf10afc0d745a557b2e8dd7e0b1d4b61ea40e42).
HBA1C = "999791000000106"
EGFR = "1011481000000105"
SYSTOLIC = "72313002"
DIASTOLIC = "271650006"
BMI = "60621009"
CHOLESTEROL = "1005671000000105"

#: ICD-10 primary diagnoses (no dot, as in HES) used for emergency admissions of people
#: with each condition, and for others.
ICD10_BY_REGISTER: dict[str, tuple[str, ...]] = {
    "copd": ("J441", "J440"), "asthma": ("J459",), "heart_failure": ("I500", "I509"),
    "chd": ("I209", "I214"), "af": ("I489",), "stroke_tia": ("I639", "G459"),
    "diabetes": ("E119", "E162"), "dementia": ("F019", "F03X"), "ckd": ("N184", "N179"),
    "epilepsy": ("G409",), "cancer": ("C349", "C189"), "palliative_care": ("Z515",),
    "depression": ("F329",), "smi": ("F209",), "hypertension": ("I10X",),
}
ICD10_GENERAL = ("J189", "N390", "R074", "R55X", "S720", "K590", "L039", "R296", "W19X")
SPECIALTIES = ("100", "110", "130", "300", "301", "320", "340", "430", "502", "420")
NEVER = 10**6


@dataclass
class Chunk:
    """People ``lo`` to ``hi`` (exclusive) of the community."""

    lo: int
    hi: int

    def idx(self) -> IntArray:
        return np.arange(self.lo, self.hi, dtype=np.int64)


class Draw:
    """Event drawing helpers bound to one generator, community and health."""

    def __init__(self, rng: np.random.Generator, community: Community, health: Health,
                 chunk: Chunk) -> None:
        self.rng = rng
        self.c = community
        self.h = health
        self.chunk = chunk
        self.people = chunk.idx()

    def yearly(self, rate: Callable[[int], FloatArray]) -> tuple[IntArray, IntArray]:
        """Poisson events per person per year, uniform in the year, none outside life.

        ``rate(y)`` gives the per-person rate for history year ``y`` (chunk-sized).
        Returns (person index, day).
        """
        persons, days = [], []
        for y in range(YEARS):
            lam = rate(y)
            counts = self.rng.poisson(lam)
            who = np.repeat(self.people, counts)
            start, end = self.h.year_start[y], self.h.year_start[y + 1]
            day = start + (self.rng.random(len(who)) * (end - start)).astype(np.int64)
            keep = (day < self.h.death_day[who]) & (day >= self.c.dob_days[who])
            persons.append(who[keep])
            days.append(day[keep])
        return np.concatenate(persons), np.concatenate(days)

    def pick(self, options: tuple[str, ...], n: int, p: list[float] | None = None
             ) -> npt.NDArray[np.object_]:
        return np.asarray(options, dtype=object)[self.rng.choice(len(options), n, p=p)]

    # per-person arrays restricted to the chunk
    def age(self, y: int) -> IntArray:
        age: IntArray = self.c.age[self.people] - (YEARS - 1 - y)
        return age

    def z(self, y: int) -> FloatArray:
        z: FloatArray = self.h.z[self.people, y]
        return z

    def n_ltc(self, y: int) -> FloatArray:
        count: FloatArray = self.h.n_ltc[self.people, y].astype(np.float64)
        return count


def _dates(days: IntArray) -> pa.Array:
    return pa.array(days.astype(np.int32), pa.int32()).cast(pa.date32())


def _nullable_dates(days: IntArray, missing: BoolArray) -> pa.Array:
    return pa.array(days.astype(np.int32), pa.int32(), mask=missing).cast(pa.date32())


def text(values: npt.NDArray[Any]) -> pa.Array:
    """Numpy values as an Arrow string column (numbers converted in Arrow, which is fast)."""
    if values.dtype == object:
        return pa.array(values, pa.string())
    return pa.array(values).cast(pa.string())


def _nhs(c: Community, who: IntArray) -> pa.Array:
    return text(c.nhs_number[who])


def _ordered(who: IntArray, day: IntArray) -> IntArray:
    order: IntArray = np.lexsort((day, who))
    return order


def generate(rng: np.random.Generator, c: Community, h: Health, chunk: Chunk
             ) -> dict[str, dict[str, pa.Array]]:
    """Columns (without record_id) of every event table for one chunk of people."""
    d = Draw(rng, c, h, chunk)
    out: dict[str, dict[str, pa.Array]] = {}
    n = len(d.people)
    regs = {r: h.conditions[r][d.people] for r in h.conditions}

    # --- emergency admissions: the oracle's outcome ------------------------------
    ew, eday = d.yearly(lambda y: h.emergency_rate[d.people, y])
    # elective: day cases mostly, more with age and conditions
    lw, lday = d.yearly(lambda y: 0.10 * np.exp(0.012 * np.maximum(d.age(y) - 40, 0))
                        * (1 + 0.15 * d.n_ltc(y)))
    who = np.concatenate([ew, lw])
    adm = np.concatenate([eday, lday])
    emergency = np.concatenate([np.ones(len(ew), bool), np.zeros(len(lw), bool)])
    age_at = c.age[who] - ((h.year_start[-1] - adm) // 365)
    year_of = np.searchsorted(h.year_start, adm, side="right") - 1
    z_at = h.z[who, np.clip(year_of, 0, YEARS - 1)]
    # length of stay: log-normal, longer with age, ill health and conditions; a persistent
    # person-level propensity concentrates bed days in a few people (COM-2)
    mu = (np.log(2.6) + 0.026 * np.maximum(age_at - 45, 0) + 0.15 * z_at
          + 0.1 * h.frailty[who] + 0.04 * h.n_ltc[who, np.clip(year_of, 0, YEARS - 1)])
    los = np.floor(np.exp(mu + 0.9 * rng.standard_normal(len(who)))).astype(np.int64)
    day_case = ~emergency & (rng.random(len(who)) < 0.72)
    los[day_case] = 0
    los[~emergency & ~day_case] = np.minimum(los[~emergency & ~day_case], 30)
    los = np.minimum(los, 365)
    order = _ordered(who, adm)
    who, adm, los, emergency = who[order], adm[order], los[order], emergency[order]
    # a new admission cannot start before the previous discharge of the same person
    same = np.flatnonzero(who[1:] == who[:-1]) + 1
    if len(same):
        for i in same.tolist():
            if adm[i] <= adm[i - 1] + los[i - 1]:
                adm[i] = adm[i - 1] + los[i - 1] + 1
    dis = adm + los
    end_day = h.year_start[-1] - 1
    inside = adm <= end_day
    who, adm, dis, los, emergency = (who[inside], adm[inside], dis[inside], los[inside],
                                     emergency[inside])
    # no admission after death; a stay that spans the day of death ends with it (died in
    # hospital). Death days are not moved, so the oracle in the truth file stays exact.
    death = h.death_day[who]
    keep = adm <= death
    who, adm, dis, los, emergency, death = (who[keep], adm[keep], dis[keep], los[keep],
                                            emergency[keep], death[keep])
    died_in_hospital = dis >= death
    dis = np.where(died_in_hospital, death, dis)
    los = dis - adm
    still_in = dis > end_day
    m = len(who)
    method = np.where(emergency, d.pick(("21", "22", "24", "2A", "2B", "2D", "28"), m,
                                        [0.70, 0.12, 0.05, 0.03, 0.03, 0.05, 0.02]),
                      d.pick(("11", "12", "13"), m, [0.6, 0.3, 0.1]))
    diag = _primary_diagnoses(rng, who, regs, d.people, m)
    dest = np.where(died_in_hospital, "79", d.pick(("19", "54", "65", "85", "51"), m,
                                                   [0.86, 0.03, 0.03, 0.05, 0.03]))
    dest = np.where(still_in, np.full(m, None, dtype=object), dest)
    out["inpatient_spell"] = {
        "nhs_number": _nhs(c, who), "admission_date": _dates(adm),
        "discharge_date": _nullable_dates(dis, still_in),
        "admission_method": text(method),
        "primary_diagnosis": pa.array(diag, pa.string()),
        "discharge_destination": pa.array(dest, pa.string()),
        "length_of_stay": pa.array(los, pa.int64(), mask=still_in),
    }
    # secondary-care diagnoses recorded for each spell
    hosp_diag = {"who": who, "day": adm, "code": diag}

    # --- A&E: every emergency admission via ED (21) has an attendance; others too -----
    via_ed = emergency & (method == "21")
    aw, aday = d.yearly(lambda y: 0.2 * np.exp(0.9 * d.z(y) + 0.08 * d.n_ltc(y)
                                                + 0.08 * c.deprivation[d.people])
                        * np.where(d.age(y) >= 75, 1.6, 1.0) * np.where(d.age(y) < 5, 1.5, 1.0))
    ae_who = np.concatenate([who[via_ed], aw])
    ae_day = np.concatenate([adm[via_ed], aday])
    disposal = np.concatenate([np.full(via_ed.sum(), "admitted", dtype=object),
                               d.pick(("discharged", "referred", "other"), len(aw),
                                      [0.75, 0.2, 0.05])])
    o = _ordered(ae_who, ae_day)
    ae_who, ae_day, disposal = ae_who[o], ae_day[o], disposal[o]
    out["ae_attendance"] = {"nhs_number": _nhs(c, ae_who), "date": _dates(ae_day),
                            "disposal": text(disposal)}

    # --- ambulance: conveyances to A&E, plus see-and-treat and hear-and-treat ---------
    conveyed_p = np.where(c.age[ae_who] >= 75, 0.45, 0.15) + np.where(disposal == "admitted",
                                                                       0.15, 0.0)
    conveyed = rng.random(len(ae_who)) < conveyed_p
    nw, nday = d.yearly(lambda y: 0.05 * np.exp(0.03 * np.maximum(d.age(y) - 60, 0)
                                                + 0.5 * d.z(y) + 0.1 * d.n_ltc(y)))
    amb_who = np.concatenate([ae_who[conveyed], nw])
    amb_day = np.concatenate([ae_day[conveyed], nday])
    outcome = np.concatenate([np.full(conveyed.sum(), "conveyed", dtype=object),
                              d.pick(("see_and_treat", "hear_and_treat"), len(nw), [0.7, 0.3])])
    o = _ordered(amb_who, amb_day)
    amb_who, amb_day, outcome = amb_who[o], amb_day[o], outcome[o]
    out["ambulance_incident"] = {"nhs_number": _nhs(c, amb_who), "date": _dates(amb_day),
                                 "outcome": text(outcome),
                                 "conveyed": pa.array(outcome == "conveyed")}

    # --- GP consultations ----------------------------------------------------------
    gw, gday = d.yearly(lambda y: 1.9 * np.exp(0.016 * np.maximum(d.age(y) - 30, 0)
                                               + 1.0 * d.z(y)) * (1 + 0.22 * d.n_ltc(y))
                        * np.where(d.age(y) < 5, 1.8, 1.0))
    old = c.age[gw] >= 85
    mode = d.pick(("face_to_face", "telephone", "home_visit", "video"), len(gw),
                  [0.62, 0.33, 0.02, 0.03])
    mode[old & (rng.random(len(gw)) < 0.15)] = "home_visit"
    out["gp_consultation"] = {
        "nhs_number": _nhs(c, gw), "date": _dates(gday),
        "staff": text(d.pick(("gp", "nurse", "pharmacist", "other"), len(gw),
                                 [0.55, 0.33, 0.05, 0.07])),
        "mode": text(mode)}

    # --- outpatients ---------------------------------------------------------------
    ow, oday = d.yearly(lambda y: 0.9 * (1 + 0.35 * d.n_ltc(y))
                        * np.exp(0.008 * np.maximum(d.age(y) - 30, 0) + 0.7 * d.z(y)))
    out["outpatient_attendance"] = {
        "nhs_number": _nhs(c, ow), "date": _dates(oday),
        "specialty": text(d.pick(SPECIALTIES, len(ow))),
        "attended": pa.array(rng.random(len(ow)) > 0.075),
        "first_attendance": pa.array(rng.random(len(ow)) < 0.35)}

    # --- community nursing and social care know only some of those at highest risk:
    # the seed found 24% of very high intensity users known to district nursing and 35%
    # to social services (POP-5). The chances below, by latent risk percentile, are tuned
    # so that level 3 of the default policy shows about those shares (50,000 people,
    # seed 1: 23% and 34%)
    pct = h.percentile[d.people]
    old_age = (c.age[d.people] >= 85)[:, None]
    p_nursing = np.select([pct >= 0.99, pct >= 0.95, pct >= 0.85], [0.58, 0.37, 0.13], 0.006)
    known_cn = rng.random((n, YEARS)) < p_nursing + 0.04 * old_age
    cw, cday = d.yearly(lambda y: known_cn[:, y] * (1 + rng.gamma(0.8, 10.0, n)))
    out["community_contact"] = {
        "nhs_number": _nhs(c, cw), "date": _dates(cday),
        "service": text(d.pick(("district_nursing", "community_matron", "therapy",
                                    "specialist_nursing", "intermediate_care"), len(cw),
                                   [0.7, 0.08, 0.1, 0.08, 0.04])),
        "mode": text(d.pick(("home_visit", "clinic", "telephone"), len(cw),
                                [0.78, 0.12, 0.1]))}

    # --- social care: packages for some of those known, assessments and reviews ------
    top = pct.max(axis=1)
    age_now = c.age[d.people]
    p_social = np.select([top >= 0.99, top >= 0.95, age_now >= 65], [0.8, 0.58, 0.08], 0.005)
    known_sc = (age_now >= 18) & (rng.random(n) < p_social)
    package = known_sc & (rng.random(n) < np.where(age_now >= 65, 0.75, 0.3))
    pw = d.people[package]
    pstart = h.year_start[0] - 200 + (rng.random(len(pw)) *
                                      (h.year_start[-1] - h.year_start[0])).astype(np.int64)
    pstart = np.minimum(pstart, h.death_day[pw] - 1)
    pend_day = np.minimum(h.death_day[pw], pstart + rng.integers(90, 2000, len(pw)))
    open_package = pend_day > h.year_start[-1] - 1
    hours = np.round(np.exp(np.log(7) + 0.8 * rng.standard_normal(len(pw))), 1)
    intensity = np.where(hours >= 15, "high", np.where(hours >= 5, "medium", "low"))
    out["social_care_package"] = {
        "nhs_number": _nhs(c, pw), "start_date": _dates(pstart),
        "end_date": _nullable_dates(pend_day, open_package),
        "hours_per_week": pa.array(hours), "intensity": text(intensity)}
    visits = known_sc * (1.0 + 2.0 * package + rng.gamma(0.5, 4.0, n) * (top >= 0.99))
    sw, sday = d.yearly(lambda y: visits)
    kind = d.pick(("assessment", "review", "contact"), len(sw), [0.3, 0.3, 0.4])
    out["social_care_contact"] = {"nhs_number": _nhs(c, sw), "date": _dates(sday),
                                  "kind": text(kind)}

    out["social_fact"] = _social_facts(rng, d, c, h, regs)
    out["prescription"], out["dispensing"] = _prescribing(rng, d, c, h, regs)
    out["observation"] = _observations(rng, d, c, h, regs)
    out["diagnosis"] = _diagnoses(rng, d, c, h, regs, hosp_diag)
    return out


def _primary_diagnoses(rng: np.random.Generator, who: IntArray, regs: dict[str, BoolArray],
                       people: IntArray, m: int) -> npt.NDArray[np.object_]:
    diag = np.asarray(ICD10_GENERAL, dtype=object)[rng.integers(0, len(ICD10_GENERAL), m)]
    local = who - people[0]
    for register, codes in ICD10_BY_REGISTER.items():
        has = regs[register][local] & (rng.random(m) < 0.35)
        diag[has] = np.asarray(codes, dtype=object)[rng.integers(0, len(codes), has.sum())]
    return diag


def _social_facts(rng: np.random.Generator, d: Draw, c: Community, h: Health,
                  regs: dict[str, BoolArray]) -> dict[str, pa.Array]:
    people = d.people
    who_parts, day_parts, kind_parts, supported_parts = [], [], [], []

    def add(who: IntArray, day: IntArray, kind: str, supported: BoolArray | None = None
            ) -> None:
        keep = day < h.death_day[who]
        who_parts.append(who[keep])
        day_parts.append(day[keep])
        kind_parts.append(np.full(keep.sum(), kind, dtype=object))
        sup = supported[keep] if supported is not None else np.full(keep.sum(), None)
        supported_parts.append(sup)

    older = c.age[people] >= 65
    fw, fday = d.yearly(lambda y: older * 0.06 * np.exp(0.05 * np.maximum(d.age(y) - 65, 0)
                                                        + 0.6 * d.z(y)))
    add(fw, fday, "fall")
    frail = h.frailty[people] + 0.05 * np.maximum(c.age[people] - 65, 0)
    span = h.year_start[-1] - h.year_start[0]
    for impairment, threshold in (("adl_impairment", 2.0), ("iadl_impairment", 1.5)):
        w = people[older & (frail > threshold)]
        day = h.year_start[0] + (rng.random(len(w)) * span).astype(np.int64)
        add(w, day, impairment, rng.random(len(w)) < 0.5)
    cognitive = regs["dementia"] | ((c.age[people] >= 80) & (rng.random(len(people)) < 0.04))
    w = people[cognitive]
    add(w, h.year_start[0] + (rng.random(len(w)) * span).astype(np.int64),
        "cognitive_impairment")
    bw, bday = d.yearly(lambda y: older * np.where(d.age(y) >= 80, 0.05, 0.025))
    add(bw, bday, "bereavement")
    has_carer = c.has_carer[people]
    cdw, cdday = d.yearly(lambda y: has_carer * 0.02)
    add(cdw, cdday, "carer_death")
    uw, uday = d.yearly(lambda y: 0.02 * np.exp(1.2 * d.z(y)) * (d.n_ltc(y) >= 2))
    add(uw, uday, "medically_unstable")

    who = np.concatenate(who_parts)
    day = np.concatenate(day_parts)
    kind = np.concatenate(kind_parts)
    supported = np.concatenate(supported_parts)
    o = _ordered(who, day)
    detail = np.where(kind[o] == "bereavement",
                      d.pick(("spouse", "family member"), len(o), [0.6, 0.4]),
                      np.full(len(o), None, dtype=object))
    return {"nhs_number": _nhs(c, who[o]), "date": _dates(day[o]),
            "kind": text(kind[o]),
            "detail": pa.array(detail, pa.string()),
            "supported": pa.array(supported[o], pa.bool_())}


def _prescribing(rng: np.random.Generator, d: Draw, c: Community, h: Health,
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
    o = _ordered(all_who, all_day)
    all_who, all_day, all_drug, repeat = all_who[o], all_day[o], all_drug[o], repeat[o]
    codes = pa.array([x.code for x in drugs])
    names = pa.array([x.name for x in drugs])
    chapters = np.array([x.bnf_chapter for x in drugs])
    costs = np.array([x.cost for x in drugs])
    quantity = np.array([x.quantity for x in drugs])
    take = pa.array(all_drug)
    prescription = {
        "nhs_number": _nhs(c, all_who), "date": _dates(all_day),
        "drug_code_system": pa.repeat(pa.scalar("bnf"), len(all_who)),
        "drug_code": codes.take(take), "drug_name": names.take(take),
        "bnf_chapter": pa.array(chapters[all_drug]),
        "quantity": pa.array(quantity[all_drug]),
        "cost": pa.array(np.round(costs[all_drug] * rng.uniform(0.95, 1.05, len(all_drug)), 2)),
        "repeat": pa.array(repeat)}
    # dispensing: most issues are dispensed within a few days; adherence varies by person
    adherence = 0.55 + 0.45 * rng.beta(4, 1.5, c.size)[all_who]
    dispensed = rng.random(len(all_who)) < adherence
    dday = all_day[dispensed] + rng.integers(0, 4, dispensed.sum())
    keep = dday < np.minimum(h.year_start[-1], h.death_day[all_who[dispensed]])
    dsel = np.flatnonzero(dispensed)[keep]
    dispensing = {
        "nhs_number": _nhs(c, all_who[dsel]), "date": _dates(dday[keep]),
        "drug_code_system": pa.repeat(pa.scalar("bnf"), len(dsel)),
        "drug_code": codes.take(pa.array(all_drug[dsel])),
        "quantity": pa.array(quantity[all_drug[dsel]]),
        "_prescription_row": pa.array(dsel)}
    return prescription, dispensing


def _observations(rng: np.random.Generator, d: Draw, c: Community, h: Health,
                  regs: dict[str, BoolArray]) -> dict[str, pa.Array]:
    people = d.people
    who_parts, day_parts, code_parts, value_parts, unit_parts = [], [], [], [], []

    def add(mask: BoolArray, per_year: float, code: str, mean: FloatArray | float,
            sd: float, unit: str, decimals: int = 0) -> None:
        w, day = d.yearly(lambda y: mask * per_year)
        local = w - people[0]
        centre = mean[local] if isinstance(mean, np.ndarray) else mean
        value = np.round(centre + sd * rng.standard_normal(len(w)), decimals)
        who_parts.append(w)
        day_parts.append(day)
        code_parts.append(np.full(len(w), code, dtype=object))
        value_parts.append(value)
        unit_parts.append(np.full(len(w), unit, dtype=object))

    age = c.age[people]
    adult = age >= 18
    dm, ckd = regs["diabetes"], regs["ckd"]
    bp_people = regs["hypertension"] | dm | ckd | regs["chd"] | regs["stroke_tia"]
    add(dm, 2.0, HBA1C, np.where(h.frailty[people] > 1, 66.0, 55.0), 11, "mmol/mol")
    sys_mean = 128 + 0.3 * np.maximum(age - 40, 0) + 6 * regs["hypertension"]
    add(bp_people, 1.2, SYSTOLIC, sys_mean, 14, "mm[Hg]")
    add(bp_people, 1.2, DIASTOLIC, 78.0, 9, "mm[Hg]")
    add(adult & ~bp_people & (age >= 40), 0.2, SYSTOLIC, sys_mean, 14, "mm[Hg]")
    add(dm | ckd, 1.0, EGFR, np.where(ckd, 44.0, 82.0), 10, "mL/min/{1.73_m2}")
    add(dm | (adult & (rng.random(len(people)) < 0.2)), 0.6, BMI, 28.0, 5, "kg/m2", 1)
    add(dm | regs["chd"], 1.0, CHOLESTEROL, 4.6, 0.9, "mmol/L", 1)
    who = np.concatenate(who_parts)
    day = np.concatenate(day_parts)
    o = _ordered(who, day)
    return {"nhs_number": _nhs(c, who[o]), "date": _dates(day[o]),
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


def _diagnoses(rng: np.random.Generator, d: Draw, c: Community, h: Health,
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
    o = _ordered(who, day)
    return {"nhs_number": _nhs(c, who[o]), "code_system":
            text(np.concatenate(system_parts)[o]),
            "code": text(np.concatenate(code_parts)[o]),
            "date": _dates(day[o]),
            "resolved_date": _nullable_dates(np.maximum(resolved[o], 0), resolved_missing[o]),
            "setting": text(np.concatenate(setting_parts)[o])}
