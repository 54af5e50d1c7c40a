"""Why a person's predicted risk is high, in plain words (STRAT-3 explanations per person).

The model's additive contributions per feature (TreeSHAP from LightGBM's
``pred_contrib=True`` for the gradient-boosted model; coefficient times standardised
value for the logistic baseline) are ranked, and the largest that *raise* the person's
risk are said in words from the person's own values: "3 emergency admissions in the
last year", "on 5 disease registers", "aged 87". At most three reasons; a factor is
only named when it describes something present (a count above zero, a flag that is
set), so nobody is told their risk is high because of something they do not have.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from ltc.pipeline.model import MODEL_FEATURES, GradientBoostedRisk, LogisticRisk

MAX_REASONS = 3


def _n(singular: str, plural: str | None = None) -> Callable[[float], str]:
    def say(value: float) -> str:
        k = round(value)
        word = singular if k == 1 else (plural or singular + "s")
        return word.format(k)
    return say


def _flag(text: str) -> Callable[[float], str]:
    return lambda value: text


#: Feature name -> phrase built from the person's value.
PHRASES: dict[str, Callable[[float], str]] = {
    "age": lambda v: f"aged {int(v)}",
    "sex_male": _flag("male"),
    "imd_decile": lambda v: (f"lives in one of the most deprived areas (IMD decile {int(v)})"
                             if v <= 3 else f"IMD decile {int(v)}"),
    "lives_alone": _flag("lives alone"),
    "has_carer": _flag("has a carer"),
    "bereaved_6m": _flag("bereaved in the last 6 months"),
    "carer_died_12m": _flag("their carer died in the last year"),
    "cognitive_impairment": _flag("cognitive impairment"),
    "adl_impaired": _flag("needs help with activities of daily living"),
    "iadl_impaired": _flag("needs help with everyday tasks such as shopping or cooking"),
    "iadl_unsupported": _flag("needs help with everyday tasks and has no support"),
    "exacerbation_90d": _flag("an emergency admission for a long term condition in the "
                              "last 90 days"),
    "medically_unstable": _flag("recorded as medically unstable in the last 90 days"),
    "ltc_count": _n("on {} disease register", "on {} disease registers"),
    "emergency_12m": _n("{} emergency admission in the last year",
                        "{} emergency admissions in the last year"),
    "emergency_13m": _n("{} emergency admission in the last 13 months",
                        "{} emergency admissions in the last 13 months"),
    "admissions_12m": _n("{} hospital admission in the last year",
                         "{} hospital admissions in the last year"),
    "bed_days_12m": _n("{} day in hospital in the last year",
                       "{} days in hospital in the last year"),
    "ae_12m": _n("{} A&E attendance in the last year", "{} A&E attendances in the last year"),
    "outpatient_12m": _n("{} outpatient appointment in the last year",
                         "{} outpatient appointments in the last year"),
    "gp_12m": _n("{} GP consultation in the last year",
                 "{} GP consultations in the last year"),
    "ambulance_12m": _n("{} ambulance call in the last year",
                        "{} ambulance calls in the last year"),
    "non_conveyed_12m": _n("{} ambulance call without going to hospital in the last year",
                           "{} ambulance calls without going to hospital in the last year"),
    "community_12m": _n("{} community nursing contact in the last year",
                        "{} community nursing contacts in the last year"),
    "social_assessments_min_q": _n("social care assessments every quarter of the last year"
                                   ),
    "long_term_medicines": _n("{} long-term medicine", "{} long-term medicines"),
    "medicines_12m": _n("{} different medicine in the last year",
                        "{} different medicines in the last year"),
    "monthly_cost": lambda v: f"medicines costing about £{v:,.0f} a month",
    "falls_2m": _n("{} fall in the last 2 months", "{} falls in the last 2 months"),
    "acute_contacts_12m": _n("{} urgent care contact (admission, A&E or ambulance) in the "
                             "last year",
                             "{} urgent care contacts (admissions, A&E or ambulance) in "
                             "the last year"),
    "elective_12m": _n("{} planned hospital admission in the last year",
                       "{} planned hospital admissions in the last year"),
    "gp_percentile_65": lambda v: (f"more GP consultations than {int(v)}% of people 65 and "
                                   "over at the practice"),
    "care_package_low": _flag("a low-intensity social care package"),
    "care_package_medium": _flag("a medium-intensity social care package"),
    "care_package_high": _flag("a high-intensity social care package"),
}
#: Values that describe nothing present, so never named as a reason.
ALWAYS_SAYABLE = {"age", "imd_decile", "gp_percentile_65"}


def _present(name: str, value: float) -> bool:
    if np.isnan(value):
        return False
    if name in ALWAYS_SAYABLE:
        return True
    return value > 0


def reasons(estimator: GradientBoostedRisk | LogisticRisk, x: npt.ArrayLike,
            limit: int = MAX_REASONS) -> list[list[str]]:
    """For each row of the design matrix ``x``, up to ``limit`` reasons, strongest first."""
    xx = np.asarray(x, dtype=np.float64)
    contrib = estimator.contributions(xx)
    order = np.argsort(-contrib, axis=1, kind="stable")
    out: list[list[str]] = []
    for row in range(len(xx)):
        said: list[str] = []
        for j in order[row]:
            if contrib[row, j] <= 0 or len(said) >= limit:
                break
            name = MODEL_FEATURES[j]
            value = float(xx[row, j])
            if _present(name, value):
                said.append(PHRASES[name](value))
        out.append(said)
    return out
