"""The condition protocols a request uses (DM-1, DM-2, DM-7): the defaults changed by the
app's folder of local ones (``app.state.protocols_dir``, when the app has one), read again
whenever one of its files changes, so a corrected file takes effect at once. A protocol
that cannot be used answers 503 with the reason."""

from __future__ import annotations

import functools
from pathlib import Path

from fastapi import HTTPException, Request

from ltc import protocols as condition_protocols
from ltc.protocols import Protocol

Stamp = tuple[str, int, int]


@functools.lru_cache(maxsize=4)
def _read(folder: str | None, stamps: tuple[Stamp, ...]) -> dict[str, Protocol]:
    return condition_protocols.load(Path(folder) if folder else None)


def protocols(request: Request) -> dict[str, Protocol]:
    folder: Path | None = getattr(request.app.state, "protocols_dir", None)
    stamps: list[Stamp] = []
    if folder is not None:
        for path in sorted(Path(folder).glob("*.toml")):
            try:
                stat = path.stat()
            except OSError:
                continue
            stamps.append((str(path), stat.st_mtime_ns, stat.st_size))
    try:
        return _read(str(folder) if folder else None, tuple(stamps))
    except condition_protocols.ProtocolError as e:
        raise HTTPException(503, f"The condition protocols cannot be used ({e}); an "
                                 "administrator must correct them, then try again.") from e
