"""The words of practice achievement (DM-6): each QOF indicator's wording and kind, and
the text of each reason a person is excepted, read from the indicator definitions the
pipeline applies (``ltc/data/qof/indicators_v46.toml``, described in
``ltc/data/qof/SOURCE.md``). The care plane reads the data file itself: it never imports
the pipeline. Only the keys named here are read; the pipeline checks the rest."""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from importlib import resources

INDICATORS_FILE = "indicators_v46.toml"


@dataclass(frozen=True)
class IndicatorLabel:
    id: str
    kind: str  # register | percentage
    register: str
    wording: str

    @property
    def is_register(self) -> bool:
        return self.kind == "register"


@dataclass(frozen=True)
class Labels:
    version: str
    indicators: dict[str, IndicatorLabel]  # in the definitions' order
    reasons: dict[str, str]  # short name -> text

    def indicator(self, indicator_id: str) -> IndicatorLabel:
        """The indicator's words (its id as its wording when the definitions no longer
        name it)."""
        return self.indicators.get(indicator_id) or IndicatorLabel(
            indicator_id, "percentage", "", indicator_id)

    def reason(self, name: str | None) -> str:
        if not name:
            return "No reason recorded"
        return self.reasons.get(name, name)

    def order(self, indicator_id: str) -> tuple[int, str]:
        """Sort key: the definitions' order, then any other indicator by id."""
        ids = list(self.indicators)
        return (ids.index(indicator_id) if indicator_id in ids else len(ids), indicator_id)


@functools.cache
def labels() -> Labels:
    text = (resources.files("ltc") / "data" / "qof" / INDICATORS_FILE).read_text(
        encoding="utf-8")
    data = tomllib.loads(text)
    indicators = {str(i["id"]): IndicatorLabel(str(i["id"]), str(i.get("kind", "")),
                                               str(i.get("register", "")),
                                               str(i.get("wording", i["id"])))
                  for i in data.get("indicator", [])}
    reasons = {str(name): str(r.get("text", name))
               for name, r in data.get("reasons", {}).items()}
    return Labels(str(data.get("version", "")), indicators, reasons)
