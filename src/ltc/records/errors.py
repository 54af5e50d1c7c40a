"""Errors for refused extracts: each names where, which field, and what was expected (POP-2)."""

from __future__ import annotations

from dataclasses import dataclass

MAX_REPORTED = 20


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, located precisely."""

    where: str  # "extracts/gp/2024-03/person.csv, line 17" or "bundle X.json, entry 12"
    field: str | None
    message: str  # what was wrong and what was expected

    def __str__(self) -> str:
        field = f", field {self.field}" if self.field else ""
        return f"{self.where}{field}: {self.message}"


class IngestError(Exception):
    """A batch was refused. Nothing from it was stored."""

    def __init__(self, problems: list[Problem], total: int | None = None) -> None:
        self.problems = problems[:MAX_REPORTED]
        self.total = total if total is not None else len(problems)
        super().__init__(self.report())

    def __reduce__(self) -> tuple[type[IngestError], tuple[list[Problem], int]]:
        # rebuilt from its problems, so it survives being passed between processes
        return (type(self), (self.problems, self.total))

    def report(self) -> str:
        lines = [f"Batch refused: {self.total} problem{'s' if self.total != 1 else ''} found."]
        lines += [f"  - {p}" for p in self.problems]
        if self.total > len(self.problems):
            lines.append(f"  ... and {self.total - len(self.problems)} more")
        lines.append("Nothing from this batch was stored. Correct the input and run the same "
                     "command again.")
        return "\n".join(lines)


def refuse(where: str, field: str | None, message: str) -> IngestError:
    return IngestError([Problem(where, field, message)])
