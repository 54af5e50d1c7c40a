"""Self-monitoring targets taken from the condition protocols (SC-2, DM-1): a protocol's
review item whose values a person can also measure (blood pressure) gives its targets to
the readings taken where the protocol's own are (a pharmacy or the practice: clinic
readings, which QOF's indicators count). A home reading keeps the home targets of the
targets file (NICE NG136 sets them lower than the clinic's).

A person on several registers is judged against the strictest of their protocols'
targets that apply to their age (:meth:`ltc.care.selfcare.targets.Targets.for_reading`).
"""

from __future__ import annotations

from collections.abc import Mapping

from ltc.care.selfcare.config import ConfigError
from ltc.care.selfcare.targets import Measure, Target
from ltc.protocols import Protocol

#: protocol item id -> (measure, where its readings are taken as the protocol's are)
ITEMS = {"blood_pressure": ("blood_pressure", frozenset({"pharmacy", "practice"}))}
#: the protocols' units (UCUM) as the measures write them
UNITS = {"mm[Hg]": "mmHg", "mmol/L": "mmol/L", "kg": "kg", "L/min": "L/min"}


def from_protocols(protocols: Mapping[str, Protocol], measures: Mapping[str, Measure]
                   ) -> tuple[Target, ...]:
    """One target per age band of each protocol item of :data:`ITEMS`, for the people on
    the protocol's register."""
    out = []
    for protocol in protocols.values():
        for item in protocol.items:
            if item.id not in ITEMS or not item.targets:
                continue
            measure_id, places = ITEMS[item.id]
            m = measures.get(measure_id)
            if m is None:
                continue  # the targets file measures no such thing
            for t in item.targets:
                if UNITS.get(t.unit, t.unit) != m.unit or len(t.at_most) != len(m.components):
                    raise ConfigError(
                        f"protocol {protocol.condition} ({', '.join(protocol.files)}): item "
                        f"{item.id}: a target of {len(t.at_most)} value(s) in {t.unit}; "
                        f"expected {len(m.components)} in {m.unit}, as {m.label} readings "
                        "are taken")
                out.append(Target(
                    measure=measure_id, source=f"{protocol.label} protocol: {t.source}",
                    at_most=tuple(t.at_most), conditions=frozenset({protocol.register}),
                    places=places, min_age=t.min_age, max_age=t.max_age))
    return tuple(out)

