"""The telephone check's shared parts a request uses (DM-7;
:func:`ltc.care.phone.script.load`): the app's data folder's ``phone/script.toml`` when
there is one, else the packaged default; read again whenever the file changes. A file that
cannot be used answers 503 with the reason."""

from __future__ import annotations

import functools
from pathlib import Path

from fastapi import HTTPException, Request

from ltc.care.phone import script

Stamp = tuple[int, int]


@functools.lru_cache(maxsize=4)
def _read(data_dir: str | None, stamp: Stamp) -> script.Config:
    return script.load(Path(data_dir) if data_dir else None)


def calls(request: Request) -> script.Config:
    data_dir: Path | None = getattr(request.app.state, "data_dir", None)
    stamp: Stamp = (0, -1)
    if data_dir is not None:
        try:
            stat = (Path(data_dir) / script.LOCAL).stat()
            stamp = (stat.st_mtime_ns, stat.st_size)
        except OSError:
            pass
    try:
        return _read(str(data_dir) if data_dir else None, stamp)
    except script.ScriptError as e:
        raise HTTPException(503, f"The telephone check cannot be used ({e}); an "
                                 "administrator must correct it, then try again.") from e
