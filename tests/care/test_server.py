"""``ltc serve --workers 2`` as a user runs it: two worker processes answer, a worker that
dies is replaced, a second server on the same port is refused with a clear message, and
SIGTERM stops everything."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from .browsing import free_port


def _children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.add(int(entry.name))
    return found


def _workers(pid: int) -> set[int]:
    """The server's worker processes (multiprocessing also starts a resource tracker)."""
    return {c for c in _children(pid)
            if b"resource_tracker" not in Path(f"/proc/{c}/cmdline").read_bytes()}


def _serve(data_dir: Path, port: int, log: Path | None = None) -> subprocess.Popen[bytes]:
    """Start the server; its output goes to ``log`` (a file never fills up and blocks it
    as an unread pipe can), or to a pipe for the caller to read."""
    command = [sys.executable, "-m", "ltc", "serve", "--data-dir", str(data_dir), "--port",
               str(port), "--workers", "2"]
    env = {**os.environ, "LTC_CARE_DATABASE_URL": ""}
    if log is None:
        return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                env=env)
    with log.open("ab") as out:
        return subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env)


def _until(check: object, seconds: float = 90, log: Path | None = None) -> None:
    """Wait for ``check``; generous, as the other test process may be busy on both cores."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if check():  # type: ignore[operator]
                return
        except (httpx.HTTPError, OSError):
            pass
        time.sleep(0.1)
    said = log.read_text(errors="replace")[-4000:] if log is not None else ""
    raise AssertionError(f"timed out after {seconds} s; the server printed:\n{said}")


@pytest.fixture
def running(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], str, Path, int]]:
    port = free_port()
    log = tmp_path / "server.log"
    proc = _serve(tmp_path, port, log)
    base = f"http://127.0.0.1:{port}"
    try:
        _until(lambda: len(_workers(proc.pid)) == 2
               and httpx.get(f"{base}/login", timeout=2).status_code == 200, log=log)
        yield proc, base, tmp_path, port
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)


def test_two_workers_answer_and_a_dead_one_is_replaced(
        running: tuple[subprocess.Popen[bytes], str, Path, int]) -> None:
    proc, base, _, _ = running
    for _ in range(20):  # each on a new connection
        r = httpx.get(f"{base}/login", timeout=5)
        assert r.status_code == 200
        assert "Sign in" in r.text
    first = _workers(proc.pid)
    assert len(first) == 2
    victim = min(first)
    os.kill(victim, signal.SIGKILL)
    _until(lambda: len(_workers(proc.pid)) == 2 and victim not in _workers(proc.pid))
    _until(lambda: all(httpx.get(f"{base}/login", timeout=2).status_code == 200
                       for _ in range(10)))


def test_a_second_server_on_the_same_port_is_refused(
        running: tuple[subprocess.Popen[bytes], str, Path, int]) -> None:
    _, _, data_dir, port = running
    second = _serve(data_dir, port)
    out, _ = second.communicate(timeout=60)
    assert second.returncode == 1
    text = " ".join(out.decode().split())
    assert f"Cannot listen on 127.0.0.1:{port}" in text
    assert "--port" in text


def test_sigterm_stops_the_server_and_its_workers(
        running: tuple[subprocess.Popen[bytes], str, Path, int]) -> None:
    proc, base, _, _ = running
    workers = _workers(proc.pid)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(20) == 0
    assert not any(Path(f"/proc/{w}").exists() for w in workers)
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{base}/login", timeout=2)
