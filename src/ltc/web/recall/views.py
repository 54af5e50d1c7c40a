"""What the recall pages share (DM-2): the protocols' words for conditions and items, the
status tags, and the choices of the list's filters."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ltc.care.recall.models import STATUSES
from ltc.protocols import Protocol

#: the NHS.UK tag colour of each status
TAGS = {"overdue": "red", "due": "orange", "due_soon": "yellow", "not_due": "grey",
        "done": "green", "excepted": "purple"}


@dataclass(frozen=True)
class Labels:
    """The protocols' labels of conditions and items (an id when a protocol no longer
    names it)."""

    protocols: Mapping[str, Protocol]

    def condition(self, condition: str) -> str:
        found = self.protocols.get(condition)
        return found.label if found else condition.replace("_", " ")

    def item(self, condition: str, item: str) -> str:
        found = self.protocols.get(condition)
        label = next((i.label for i in found.items if i.id == item), None) if found else None
        return label or item.replace("_", " ").capitalize()

    def items(self, condition: str = "") -> dict[str, str]:
        """Item id -> label, of one condition or of every one (an id shared by several
        conditions, such as the flu vaccination, once)."""
        out: dict[str, str] = {}
        for c, p in self.protocols.items():
            if condition and c != condition:
                continue
            for i in p.items:
                out.setdefault(i.id, i.label)
        return dict(sorted(out.items(), key=lambda kv: kv[1].lower()))

    def conditions(self) -> dict[str, str]:
        return {c: p.label for c, p in sorted(self.protocols.items(),
                                              key=lambda kv: kv[1].label.lower())}


def status_words(status: str) -> str:
    return STATUSES.get(status, status)


def tag(status: str) -> str:
    return TAGS.get(status, "grey")
