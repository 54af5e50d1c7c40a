"""A person's social care summary (POP-2 linked records, CM-5 person summary): their
packages of care (intensity and hours a week) and the latest date of each kind of social
care contact, read from what the run's activity build kept
(:func:`ltc.care.people.activity.social_care`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

#: a timeline line: (date, kind, text)
Line = tuple[date, str, str]


@dataclass(frozen=True)
class Package:
    """A package of social care: ``end`` is None while it is open."""

    start: date
    end: date | None
    hours_per_week: float | None
    intensity: str | None

    @property
    def open(self) -> bool:
        return self.end is None

    @property
    def described(self) -> str:
        """``high intensity, 21.5 hours a week``, leaving out what was not recorded."""
        parts = [f"{self.intensity} intensity" if self.intensity else "",
                 f"{self.hours_per_week:g} hours a week"
                 if self.hours_per_week is not None else ""]
        return ", ".join(p for p in parts if p) or "intensity and hours not recorded"


@dataclass(frozen=True)
class SocialCare:
    """Packages newest first and the latest assessment, review and other contact."""

    packages: tuple[Package, ...] = ()
    assessment: date | None = None
    review: date | None = None
    contact: date | None = None

    @property
    def current(self) -> tuple[Package, ...]:
        """The open packages (usually one), newest first."""
        return tuple(p for p in self.packages if p.open)

    @property
    def earlier(self) -> tuple[Package, ...]:
        """The ended packages, newest first."""
        return tuple(p for p in self.packages if not p.open)

    @property
    def recorded(self) -> bool:
        return bool(self.packages) or any((self.assessment, self.review, self.contact))

    def lines(self) -> list[Line]:
        """The person's timeline lines: each package's start and end, the latest
        assessment, review and contact."""
        out: list[Line] = []
        for p in self.packages:
            out.append((p.start, "Social care package started", p.described))
            if p.end is not None:
                out.append((p.end, "Social care package ended", p.described))
        out += [(on, what, "latest recorded") for on, what in (
            (self.assessment, "Social care assessment"), (self.review, "Social care review"),
            (self.contact, "Social care contact")) if on is not None]
        return out
