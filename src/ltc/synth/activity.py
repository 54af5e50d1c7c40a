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

This module draws the encounters and social care; the column helpers are in
:mod:`ltc.synth.draw`, prescribing, observations and diagnoses in :mod:`ltc.synth.clinical`.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from ltc.synth import reviews
from ltc.synth.clinical import diagnoses, observations, prescribing
from ltc.synth.draw import (
    BoolArray,
    Chunk,
    Draw,
    IntArray,
    dates,
    nhs,
    nullable_dates,
    ordered,
    text,
)
from ltc.synth.health import YEARS, Health
from ltc.synth.population import Community

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
    order = ordered(who, adm)
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
        "nhs_number": nhs(c, who), "admission_date": dates(adm),
        "discharge_date": nullable_dates(dis, still_in),
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
    o = ordered(ae_who, ae_day)
    ae_who, ae_day, disposal = ae_who[o], ae_day[o], disposal[o]
    out["ae_attendance"] = {"nhs_number": nhs(c, ae_who), "date": dates(ae_day),
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
    o = ordered(amb_who, amb_day)
    amb_who, amb_day, outcome = amb_who[o], amb_day[o], outcome[o]
    out["ambulance_incident"] = {"nhs_number": nhs(c, amb_who), "date": dates(amb_day),
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
        "nhs_number": nhs(c, gw), "date": dates(gday),
        "staff": text(d.pick(("gp", "nurse", "pharmacist", "other"), len(gw),
                                 [0.55, 0.33, 0.05, 0.07])),
        "mode": text(mode)}

    # --- outpatients ---------------------------------------------------------------
    ow, oday = d.yearly(lambda y: 0.9 * (1 + 0.35 * d.n_ltc(y))
                        * np.exp(0.008 * np.maximum(d.age(y) - 30, 0) + 0.7 * d.z(y)))
    out["outpatient_attendance"] = {
        "nhs_number": nhs(c, ow), "date": dates(oday),
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
        "nhs_number": nhs(c, cw), "date": dates(cday),
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
        "nhs_number": nhs(c, pw), "start_date": dates(pstart),
        "end_date": nullable_dates(pend_day, open_package),
        "hours_per_week": pa.array(hours), "intensity": text(intensity)}
    visits = known_sc * (1.0 + 2.0 * package + rng.gamma(0.5, 4.0, n) * (top >= 0.99))
    sw, sday = d.yearly(lambda y: visits)
    kind = d.pick(("assessment", "review", "contact"), len(sw), [0.3, 0.3, 0.4])
    out["social_care_contact"] = {"nhs_number": nhs(c, sw), "date": dates(sday),
                                  "kind": text(kind)}

    out["social_fact"] = _social_facts(rng, d, c, h, regs)
    out["prescription"], out["dispensing"] = prescribing(rng, d, c, h, regs)
    out["observation"] = observations(rng, d, c, h, regs)
    # review items of the condition protocols (DM-2), from a stream of their own
    out["observation"] = reviews.add(out["observation"], reviews.observations(
        rng.spawn(1)[0], d, c, h, regs))
    out["diagnosis"] = diagnoses(rng, d, c, h, regs, hosp_diag)
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
    o = ordered(who, day)
    detail = np.where(kind[o] == "bereavement",
                      d.pick(("spouse", "family member"), len(o), [0.6, 0.4]),
                      np.full(len(o), None, dtype=object))
    return {"nhs_number": nhs(c, who[o]), "date": dates(day[o]),
            "kind": text(kind[o]),
            "detail": pa.array(detail, pa.string()),
            "supported": pa.array(supported[o], pa.bool_())}
