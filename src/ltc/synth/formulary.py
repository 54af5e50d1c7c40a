"""A small formulary for synthetic prescribing: which medicines each condition brings (POP-2).

Drug codes are BNF chemical-substance codes (BNF chapter in the first two digits) for
common medicines in English primary care; costs per 56-day issue are round figures of
the order of the Drug Tariff, for realistic totals only. This is synthetic-data
configuration, not a clinical reference: never use it to look anything up.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Drug:
    code: str
    name: str
    bnf_chapter: int
    cost: float  # pounds per 56-day issue
    quantity: float = 56.0


def _d(code: str, name: str, cost: float, quantity: float = 56.0) -> Drug:
    return Drug(code, name, int(code[:2]), cost, quantity)


METFORMIN = _d("0601022B0", "Metformin 500mg tablets", 3.0, 112)
GLICLAZIDE = _d("0601021M0", "Gliclazide 80mg tablets", 4.0, 112)
INSULIN = _d("0601012V0", "Insulin glargine 100units/ml pre-filled pen", 70.0, 15)
SITAGLIPTIN = _d("0601023X0", "Sitagliptin 100mg tablets", 66.0)
AMLODIPINE = _d("0206020A0", "Amlodipine 5mg tablets", 1.5)
RAMIPRIL = _d("0205051R0", "Ramipril 5mg capsules", 2.0)
BISOPROLOL = _d("0204000H0", "Bisoprolol 2.5mg tablets", 1.8)
FUROSEMIDE = _d("0202020L0", "Furosemide 40mg tablets", 1.6)
ATORVASTATIN = _d("0212000B0", "Atorvastatin 20mg tablets", 2.0)
ASPIRIN = _d("0209000A0", "Aspirin 75mg dispersible tablets", 1.5)
CLOPIDOGREL = _d("0209000C0", "Clopidogrel 75mg tablets", 2.5)
APIXABAN = _d("0208020Z0", "Apixaban 5mg tablets", 53.0, 112)
GTN = _d("0206010F0", "Glyceryl trinitrate 400micrograms/dose spray", 4.0, 1)
SALBUTAMOL = _d("0301011R0", "Salbutamol 100micrograms/dose inhaler", 3.0, 2)
BECLOMETASONE = _d("0302000C0", "Beclometasone 100micrograms/dose inhaler", 15.0, 2)
TIOTROPIUM = _d("0301020Q0", "Tiotropium 18microgram inhalation powder capsules", 67.0, 60)
SERTRALINE = _d("0403030Q0", "Sertraline 50mg tablets", 2.0)
CITALOPRAM = _d("0403030E0", "Citalopram 20mg tablets", 1.8)
DONEPEZIL = _d("0411000D0", "Donepezil 5mg tablets", 2.5)
LAMOTRIGINE = _d("0408010H0", "Lamotrigine 100mg tablets", 4.0)
LEVETIRACETAM = _d("0408010AE", "Levetiracetam 500mg tablets", 8.0, 112)
OLANZAPINE = _d("0402010AB", "Olanzapine 10mg tablets", 3.0)
ALENDRONIC = _d("0606020A0", "Alendronic acid 70mg tablets", 2.0, 8)
CALCIUM_D = _d("0906040G0", "Colecalciferol with calcium carbonate chewable tablets", 7.0, 112)
METHOTREXATE = _d("1001030U0", "Methotrexate 2.5mg tablets", 6.0, 48)
FOLIC_ACID = _d("0906011C0", "Folic acid 5mg tablets", 1.0, 16)
MORPHINE = _d("0407020Q0", "Morphine sulfate 10mg/5ml oral solution", 12.0, 300)
PARACETAMOL = _d("0407010H0", "Paracetamol 500mg tablets", 2.0, 200)
OMEPRAZOLE = _d("0103050P0", "Omeprazole 20mg gastro-resistant capsules", 1.8)
LEVOTHYROXINE = _d("0602010V0", "Levothyroxine sodium 100microgram tablets", 2.0)
TAMOXIFEN = _d("0803041S0", "Tamoxifen 20mg tablets", 4.0)
CILOSTAZOL = _d("0204000R0", "Cilostazol 100mg tablets", 10.0, 112)

#: Regular medicines by register, most common first.
BY_REGISTER: dict[str, tuple[Drug, ...]] = {
    "hypertension": (AMLODIPINE, RAMIPRIL, BISOPROLOL),
    "diabetes": (METFORMIN, ATORVASTATIN, GLICLAZIDE, SITAGLIPTIN, INSULIN),
    "asthma": (SALBUTAMOL, BECLOMETASONE),
    "copd": (SALBUTAMOL, TIOTROPIUM, BECLOMETASONE),
    "chd": (ATORVASTATIN, ASPIRIN, BISOPROLOL, GTN),
    "heart_failure": (FUROSEMIDE, RAMIPRIL, BISOPROLOL),
    "af": (APIXABAN, BISOPROLOL),
    "stroke_tia": (CLOPIDOGREL, ATORVASTATIN),
    "ckd": (RAMIPRIL, ATORVASTATIN),
    "dementia": (DONEPEZIL,),
    "depression": (SERTRALINE, CITALOPRAM),
    "epilepsy": (LAMOTRIGINE, LEVETIRACETAM),
    "smi": (OLANZAPINE,),
    "learning_disability": (),
    "cancer": (TAMOXIFEN, PARACETAMOL),
    "osteoporosis": (ALENDRONIC, CALCIUM_D),
    "rheumatoid_arthritis": (METHOTREXATE, FOLIC_ACID),
    "palliative_care": (MORPHINE,),
    "pad": (CILOSTAZOL, ATORVASTATIN, CLOPIDOGREL),
}

#: Medicines commonly added in later life regardless of register.
OLDER_AGE: tuple[Drug, ...] = (OMEPRAZOLE, PARACETAMOL, LEVOTHYROXINE, ATORVASTATIN)

#: Short courses (one issue each).
ACUTE: tuple[Drug, ...] = (
    _d("0501013B0", "Amoxicillin 500mg capsules", 1.5, 15),
    _d("0501130R0", "Nitrofurantoin 100mg modified-release capsules", 5.0, 6),
    _d("0603020T0", "Prednisolone 5mg tablets", 1.5, 28),
    _d("0501030I0", "Doxycycline 100mg capsules", 1.5, 8),
    _d("1302011D0", "Emollient cream", 4.0, 500),
)

ALL: tuple[Drug, ...] = tuple({d.code: d for group in (*BY_REGISTER.values(), OLDER_AGE, ACUTE)
                               for d in group}.values())
