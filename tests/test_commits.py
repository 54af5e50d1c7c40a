"""Only the owners of a transaction commit: the web request (``ltc.web.guard``) and the
command-line job's unit of work (``ltc.care.db.unit_of_work``). No other module of
``src/ltc`` calls ``.commit()`` (a session's; the record store's ``commit(batch)``
adds a batch of Parquet files): services only flush, so a request or a job that fails
part-way leaves nothing behind (``tests/care/test_write_routes_atomic.py`` proves it on
every write route)."""

from __future__ import annotations

import ast
from pathlib import Path

import ltc

SRC = Path(ltc.__file__).parent
OWNERS = {"web/guard.py", "care/db.py"}


def commits(source: str) -> list[int]:
    """The lines of ``source`` that call a ``commit()`` method without arguments."""
    return [node.lineno for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr == "commit" and not node.args and not node.keywords]


def test_only_the_request_and_the_job_commit() -> None:
    found = {str(path.relative_to(SRC)): lines for path in sorted(SRC.rglob("*.py"))
             if (lines := commits(path.read_text(encoding="utf-8")))}
    assert set(found) >= OWNERS
    extra = {f"{name}:{lines}" for name, lines in found.items()
             if name not in OWNERS}
    assert not extra, f"commit outside the request and the job: {sorted(extra)}"


def test_a_commit_is_found() -> None:
    assert commits("def save(db):\n    db.add(1)\n    db.commit()\n") == [3]
    assert commits("def save(db):\n    db.flush()\n    store.commit(batch)\n") == []
