"""The self-care configuration a request uses (SC-1, SC-2, SC-5;
:mod:`ltc.care.selfcare.setup`): the app's data folder's own files, else the packaged
defaults, and the condition protocols changed by the app's folder of local ones
(``app.state.protocols_dir``, when the app has one); read again whenever a file changes,
so a corrected file takes effect at once. A file that cannot be used answers 503 with the
reason."""

from __future__ import annotations

import functools
from pathlib import Path

from fastapi import HTTPException, Request

from ltc.care.selfcare import setup
from ltc.care.selfcare.config import ConfigError

Stamp = tuple[str, int, int] | None


@functools.lru_cache(maxsize=4)
def _read(data_dir: str | None, protocols_dir: str | None, stamps: tuple[Stamp, ...]
          ) -> setup.Setup:
    return setup.load(Path(data_dir) if data_dir else None,
                      Path(protocols_dir) if protocols_dir else None)


def _stamp(path: Path | None) -> Stamp:
    if path is None:
        return None
    try:
        stat = path.stat()
    except OSError:
        return (str(path), 0, -1)
    return (str(path), stat.st_mtime_ns, stat.st_size)


def selfcare(request: Request) -> setup.Setup:
    data_dir: Path | None = getattr(request.app.state, "data_dir", None)
    protocols_dir: Path | None = getattr(request.app.state, "protocols_dir", None)
    local = [*setup.local_files(data_dir).values(),
             *(sorted(Path(protocols_dir).glob("*.toml")) if protocols_dir else [])]
    stamps = tuple(_stamp(p) for p in local)
    try:
        return _read(str(data_dir) if data_dir else None,
                     str(protocols_dir) if protocols_dir else None, stamps)
    except ConfigError as e:
        raise HTTPException(503, f"The self-care settings cannot be used ({e}); an "
                                 "administrator must correct them, then try again.") from e
