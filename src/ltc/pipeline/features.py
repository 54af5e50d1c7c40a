"""Features per person as of an index date, defined once as Ibis expressions (STRAT-1, STRAT-2).

Every feature reads only records dated on or before the index date (``as_of``). Every
look-back window is :mod:`ltc.windows`' (inclusive at both ends; months are calendar
months): "the last 12 months" on 31 March 2025 runs from 31 March 2024 to 31 March 2025,
"the last 90 days" from 31 December 2024. ``docs/rules.md`` tabulates each window's first
day. The definitions follow the criteria the seeds name (Castlefields, Evercare, the DH
list of local criteria):

========================  ===================================================================
feature                   definition
========================  ===================================================================
age                       completed years on ``as_of``
ltc_count                 registers the person is on (QOF-style, :mod:`ltc.records.registers`)
emergency_12m / _13m      emergency admissions (methods 21-25, 2A-2D, 28) starting in the
                          last 12 / 13 months
admissions_12m            all admissions starting in the last 12 months
bed_days_12m              nights in hospital inside the last 12 months (stays clipped to
                          it; a stay still open counts to the night after ``as_of``)
ae_12m                    A&E attendances in the last 12 months
outpatient_12m            outpatient appointments attended in the last 12 months
gp_12m                    GP practice consultations in the last 12 months
gp_percentile_65          rank of gp_12m among people 65+ in the same practice (0-100, the
                          share of them with fewer consultations); null under 65
ambulance_12m             ambulance incidents in the last 12 months
non_conveyed_12m          of which not conveyed to hospital
community_12m             community / district nursing contacts in the last 12 months
social_assessments_min_q  the smallest number of social care assessments in any of the
                          four three-month periods of the last 12 months (the last 3
                          months, the 3 months before them, and so on)
long_term_medicines       distinct medicines issued for 6 months or more: first issue in
                          the last 12 months on or before the first day of the last 6
                          months, and an issue in the last 3 months
medicines_12m             distinct medicines issued in the last 12 months (a medicine is
                          an ingredient, :func:`ltc.pipeline.scores.polypharmacy.
                          ingredient`: a dose change is not a second medicine)
monthly_cost              prescribing cost of the last 12 months / 12 (pounds)
falls_2m                  falls recorded in the last 2 months
bereaved_6m               bereavement recorded in the last 6 months
carer_died_12m            death of the person's carer recorded in the last 12 months
cognitive_impairment      ever recorded, or on the dementia register
adl_impaired              impairment of an activity of daily living ever recorded
iadl_impaired             impairment of an instrumental activity of daily living recorded
iadl_unsupported          ... with support recorded as not in place
lives_alone               from the patient index
care_package_intensity    intensity of a social care package open on ``as_of`` (highest)
exacerbation_90d          an emergency admission in the last 90 days whose primary diagnosis
                          is in the ICD-10 grouping of a register the person is on (the
                          admission-based evidence of the first Evercare nomination only)
medically_unstable        "medically unstable" recorded (``social_fact`` kind
                          ``medically_unstable``) in the last 90 days: a fact of its own,
                          read only by the fourth Evercare nomination
========================  ===================================================================
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import ibis
import ibis.expr.types as ir

from ltc.codes.nhs_dd import EMERGENCY_ADMISSION_METHODS
from ltc.pipeline.scores.polypharmacy import ingredient
from ltc.records import registers
from ltc.windows import start, within

EMERGENCY = sorted(EMERGENCY_ADMISSION_METHODS)
INTENSITY_RANK = {"low": 1, "medium": 2, "high": 3}


def _day(value: date) -> ir.DateScalar:
    return ibis.literal(value, type="date")


def _count(t: ir.Table, name: str, where: ir.BooleanValue) -> ir.Table:
    return t.filter(where).group_by("nhs_number").aggregate(**{name: ibis._.count()})


def people(con: ibis.BaseBackend, as_of: date) -> ir.Table:
    """Everyone alive and registered on ``as_of``, with their age and circumstances."""
    p = con.table("person")
    practice = con.table("practice").select("practice_code", "locality_code")
    alive = p.filter((p.date_of_birth <= _day(as_of))
                     & (p.date_of_death.isnull() | (p.date_of_death > _day(as_of))))
    years = as_of.year - alive.date_of_birth.year()
    before_birthday = (alive.date_of_birth.month() > as_of.month) | (
        (alive.date_of_birth.month() == as_of.month) & (alive.date_of_birth.day() > as_of.day))
    base = alive.select(
        "nhs_number", "sex", "practice_code", "imd_decile", "lives_alone", "has_carer",
        age=(years - before_birthday.ifelse(1, 0)).cast("int64"))
    return base.left_join(practice, "practice_code").select(
        "nhs_number", "age", "sex", "practice_code", "locality_code", "imd_decile",
        "lives_alone", "has_carer")


def _hospital(con: ibis.BaseBackend, as_of: date) -> ir.Table:
    s = con.table("inpatient_spell")
    emergency = s.admission_method.isin(EMERGENCY)
    first = _day(start(as_of, months=12))  # first day of the window
    # nights are counted up to the morning after the index date (not a window: a count)
    end = _day(as_of + timedelta(days=1))
    discharged = s.discharge_date.fill_null(end)
    clipped = (ibis.least(discharged, end) - ibis.greatest(s.admission_date, first)
               ).cast("int64")
    stays = s.filter((s.admission_date <= _day(as_of)) & (
        (discharged >= first) | within(s.admission_date, as_of, months=13)))
    year = within(stays.admission_date, as_of, months=12)
    return stays.group_by("nhs_number").aggregate(
        emergency_12m=(emergency & year).ifelse(1, 0).sum(),
        emergency_13m=(emergency & within(stays.admission_date, as_of, months=13))
        .ifelse(1, 0).sum(),
        admissions_12m=year.ifelse(1, 0).sum(),
        bed_days_12m=ibis.greatest(clipped, 0).sum(),
    )


def _medicines(con: ibis.BaseBackend, as_of: date) -> ir.Table:
    rx = con.table("prescription")
    year = rx.filter(within(rx.date, as_of, months=12))
    year = year.mutate(ingredient=ingredient(year))
    per_drug = year.group_by(["nhs_number", "ingredient"]).aggregate(
        first=year.date.min(), last=year.date.max(), cost=year.cost.sum())
    long_term = (per_drug["first"] <= _day(start(as_of, months=6))) & within(
        per_drug["last"], as_of, months=3)
    return per_drug.group_by("nhs_number").aggregate(
        long_term_medicines=long_term.ifelse(1, 0).sum(),
        medicines_12m=per_drug.count(),
        monthly_cost=per_drug.cost.sum().fill_null(0) / 12,
    )


def _social(con: ibis.BaseBackend, as_of: date) -> ir.Table:
    f = con.table("social_fact")
    past = f.filter(f.date <= _day(as_of))
    kind = past.kind
    return past.group_by("nhs_number").aggregate(
        falls_2m=((kind == "fall") & within(past.date, as_of, months=2)).ifelse(1, 0).sum(),
        bereaved_6m=((kind == "bereavement") & within(past.date, as_of, months=6)).any(),
        carer_died_12m=((kind == "carer_death") & within(past.date, as_of, months=12)).any(),
        cognitive_recorded=(kind == "cognitive_impairment").any(),
        adl_impaired=(kind == "adl_impairment").any(),
        iadl_impaired=(kind == "iadl_impairment").any(),
        iadl_unsupported=((kind == "iadl_impairment") & (past.supported == False)).any(),  # noqa: E712
        medically_unstable=((kind == "medically_unstable")
                            & within(past.date, as_of, days=90)).any(),
    )


def _assessments(con: ibis.BaseBackend, as_of: date) -> ir.Table:
    """Fewest social care assessments in any of the four three-month periods of the last
    12 months: the last 3 months (``ltc.windows``, inclusive), then the 3 months before
    the first day of those, and so on back to the first day of the 12-month window."""
    c = con.table("social_care_contact")
    a = c.filter((c.kind == "assessment") & within(c.date, as_of, months=12))
    quarter = ibis.cases(*((a.date >= _day(start(as_of, months=3 * (q + 1))), q)
                           for q in range(3)), else_=3)
    per_q = a.mutate(q=quarter).group_by(["nhs_number", "q"]).aggregate(n=ibis._.count())
    wide = per_q.group_by("nhs_number").aggregate(
        quarters=per_q.count(), least=per_q.n.min())
    return wide.select("nhs_number", social_assessments_min_q=(wide.quarters == 4).ifelse(
        wide.least, 0))


def _package(con: ibis.BaseBackend, as_of: date) -> ir.Table:
    p = con.table("social_care_package")
    open_now = p.filter((p.start_date <= _day(as_of))
                        & (p.end_date.isnull() | (p.end_date > _day(as_of))))
    rank = open_now.intensity.cases(*INTENSITY_RANK.items(), else_=0)
    best = open_now.mutate(rank=rank).group_by("nhs_number").aggregate(rank=ibis._.rank.max())
    return best.select("nhs_number", care_package_intensity=best["rank"].cases(
        *((v, k) for k, v in INTENSITY_RANK.items()), else_=None))


def _exacerbation(con: ibis.BaseBackend, as_of: date, members: ir.Table) -> ir.Table:
    s = con.table("inpatient_spell")
    recent = s.filter(s.admission_method.isin(EMERGENCY)
                      & within(s.admission_date, as_of, days=90)
                      & s.primary_diagnosis.notnull())
    matched = registers.icd10_registers(recent, "primary_diagnosis", ["nhs_number"])
    own = matched.join(members.select("nhs_number", "register"), ["nhs_number", "register"])
    return own.select("nhs_number").distinct().mutate(exacerbation_admission=ibis.literal(True))


def features(con: ibis.BaseBackend, as_of: date) -> ir.Table:
    """One row per person alive and registered on ``as_of`` with every feature above."""
    base = people(con, as_of)
    members = registers.members(con, as_of)
    ltc = members.group_by("nhs_number").aggregate(
        ltc_count=members.register.nunique(),
        dementia=(members.register == "dementia").any())
    gp = con.table("gp_consultation")
    ae = con.table("ae_attendance")
    op = con.table("outpatient_attendance")
    amb = con.table("ambulance_incident")
    cn = con.table("community_contact")
    parts: list[ir.Table] = [
        ltc,
        _hospital(con, as_of),
        _count(ae, "ae_12m", within(ae.date, as_of, months=12)),
        _count(op, "outpatient_12m", within(op.date, as_of, months=12) & op.attended),
        _count(gp, "gp_12m", within(gp.date, as_of, months=12)),
        amb.filter(within(amb.date, as_of, months=12)).group_by("nhs_number").aggregate(
            ambulance_12m=ibis._.count(), non_conveyed_12m=(~ibis._.conveyed).ifelse(1, 0)
            .sum()),
        _count(cn, "community_12m", within(cn.date, as_of, months=12)),
        _assessments(con, as_of),
        _medicines(con, as_of),
        _social(con, as_of),
        _package(con, as_of),
        _exacerbation(con, as_of, members),
    ]
    out = base
    for part in parts:
        out = out.left_join(part, "nhs_number").drop("nhs_number_right")
    zero_filled = ["ltc_count", "emergency_12m", "emergency_13m", "admissions_12m",
                   "bed_days_12m", "ae_12m", "outpatient_12m", "gp_12m", "ambulance_12m",
                   "non_conveyed_12m", "community_12m", "social_assessments_min_q",
                   "long_term_medicines", "medicines_12m", "falls_2m"]
    false_filled = ["bereaved_6m", "carer_died_12m", "adl_impaired", "iadl_impaired",
                    "iadl_unsupported", "dementia", "cognitive_recorded", "medically_unstable",
                    "exacerbation_admission"]
    fills: dict[str, Any] = {c: out[c].fill_null(0) for c in zero_filled}
    fills |= {c: out[c].fill_null(False) for c in false_filled}
    fills["monthly_cost"] = out.monthly_cost.fill_null(0.0)
    out = out.mutate(**fills)
    out = out.mutate(
        cognitive_impairment=out.cognitive_recorded | out.dementia,
        exacerbation_90d=out.exacerbation_admission,
    ).drop("cognitive_recorded", "exacerbation_admission", "dementia")
    older = out.filter(out.age >= 65)
    window = ibis.window(group_by="practice_code", order_by="gp_12m")
    pct = older.select("nhs_number", gp_percentile_65=(
        ibis.percent_rank().over(window) * 100))
    return out.left_join(pct, "nhs_number").drop("nhs_number_right")


#: Every feature a rule may name, and its kind (``number``, ``flag`` or ``text``).
FEATURE_KINDS: dict[str, str] = {
    "age": "number", "sex": "text", "practice_code": "text", "locality_code": "text",
    "imd_decile": "number", "lives_alone": "flag", "has_carer": "flag",
    "ltc_count": "number", "emergency_12m": "number", "emergency_13m": "number",
    "admissions_12m": "number", "bed_days_12m": "number", "ae_12m": "number",
    "outpatient_12m": "number", "gp_12m": "number", "gp_percentile_65": "number",
    "ambulance_12m": "number", "non_conveyed_12m": "number", "community_12m": "number",
    "social_assessments_min_q": "number", "long_term_medicines": "number",
    "medicines_12m": "number", "monthly_cost": "number", "falls_2m": "number",
    "bereaved_6m": "flag", "carer_died_12m": "flag", "cognitive_impairment": "flag",
    "adl_impaired": "flag", "iadl_impaired": "flag", "iadl_unsupported": "flag",
    "care_package_intensity": "text", "exacerbation_90d": "flag",
    "medically_unstable": "flag",
}
