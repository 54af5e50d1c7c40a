"""Benchmark: the web app over 1,000,000 stratified people with 2,000 on caseloads.

    uv run python benchmarks/web.py --data-dir DIR [--care-url URL] [--clients 32] [--rounds 3]

DIR holds a record store (``benchmarks/record_plane.py --keep DIR``). The pages are
measured on a model-scored run, as ``make demo`` makes it: unless the latest run of DIR
was scored by a model (or ``--no-model`` is given), the script first trains one
(``ltc model train --index-date 2023-04-01``, unless DIR already holds it) and stratifies
with it (``ltc stratify --as-of 2025-03-31 --model ...``). It loads the latest run into a
fresh care store (PostgreSQL database ``ltc_bench`` on the local server unless
``--care-url`` names one), creates 40 case managers and puts 50 level-3 people on each
caseload, starts
``ltc serve --workers 2``, then drives it from 32 concurrent clients (signed in as the case
managers) for the person summary and then the worklist, and prints requests per second and
p50/p95/p99 latency of each, ``--rounds`` times (target: p95 <= 120 ms and >= 350
requests/s on 2 cores). Then, as practice nurses of the 40 practices with the most people
due for review (the run's ``recall.parquet``), the recall list (DM-2): the first page
without filters, the next page, and filtered by status and by condition (target: p95 <=
150 ms with 32 clients). Last, as the co-ordinators of 10 virtual wards of 40 beds (each
full: 40 level-3 people of its locality, half with a care plan, each with yesterday's ward
round), the ward board (VW-1; target: p95 <= 150 ms with 32 clients). The wards are added
to a store an earlier run prepared when ``--reuse`` finds none.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import httpx
from sqlalchemy import create_engine, func, select, text

from ltc.care.auth import services as auth
from ltc.care.auth.models import Role
from ltc.care.casemgmt import services as cases
from ltc.care.casemgmt.models import CaseManager
from ltc.care.db import make_engine, sessions, unit_of_work, upgrade
from ltc.care.people import run_files
from ltc.care.people.models import Person, PersonResult
from ltc.care.people.services import current_run, load_from_folder, vacuum_loaded
from ltc.care.recall.models import RecallPerson
from ltc.care.wards import services as wards_service
from ltc.care.wards.models import DEFAULT_CAPACITY, Ward

SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"
#: the model ``make demo`` trains and the run it stratifies
MODEL_INDEX_DATE, RUN_AS_OF = "2023-04-01", "2025-03-31"
PASSWORD = "benchmark-password"
MANAGERS, CASELOAD = 40, 50
#: practice nurses, one per practice with the most people due for review (DM-2)
NURSES = 40
#: the recall list's pages a nurse opens, in turn: the first and next page, and filtered
RECALL_PATHS = ("/recall", "/recall?page=2", "/recall?status=overdue",
                "/recall?condition=diabetes")
#: virtual wards, each full (VW-1: Leicestershire runs ten wards of about 40 beds)
WARDS, WARD_PREFIX = 10, "Bench ward "


def fresh_database(name: str) -> str:
    admin = create_engine(f"{SERVER}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        c.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return f"{SERVER}/{name}"


def model_scored(data_dir: Path) -> str:
    """Make the latest run of ``data_dir`` a model-scored one, as ``make demo`` does; the
    model's name."""
    runs = data_dir / "runs"
    latest = run_files.read(data_dir) if runs.is_dir() and any(runs.iterdir()) else None
    if latest is None or not latest.meta.get("model"):
        model = data_dir / "models" / f"gbm-{MODEL_INDEX_DATE}"
        ltc = [sys.executable, "-m", "ltc"]
        if not model.exists():
            subprocess.run([*ltc, "model", "train", "--index-date", MODEL_INDEX_DATE,
                            "--data-dir", str(data_dir)], check=True)
        subprocess.run([*ltc, "stratify", "--as-of", RUN_AS_OF, "--model", str(model),
                        "--data-dir", str(data_dir)], check=True)
        latest = run_files.read(data_dir)
    model = latest.meta["model"]
    return (f"{latest.id}, {model.get('kind', 'model')} trained on "
            f"{model.get('trained_on', '?')}" if isinstance(model, dict) else str(model))


def prepare(url: str, data_dir: Path) -> dict[str, list[str]]:
    """Load the run, make the case managers and their caseloads; {user name: people}."""
    upgrade(url)
    factory = sessions(make_engine(url))
    started = time.perf_counter()
    with unit_of_work(factory) as s:
        loaded = load_from_folder(s, data_dir)
    vacuum_loaded(make_engine(url))  # as ltc care load-run does
    print(f"load {loaded.run_id}: {loaded.people:,} people in "
          f"{time.perf_counter() - started:.1f} s")
    caseloads: dict[str, list[str]] = {}
    with unit_of_work(factory) as s:
        run = current_run(s)
        assert run is not None
        level3 = s.execute(select(Person.nhs_number, Person.locality_code).join(
            PersonResult, PersonResult.nhs_number == Person.nhs_number)
            .where(PersonResult.run_id == run.id, PersonResult.level == 3)
            .order_by(Person.locality_code, Person.nhs_number)).all()
        localities = sorted({loc for _, loc in level3 if loc})
        admin = auth.create_user(s, "bench-admin", "Admin", Role.ADMIN, PASSWORD)
        for i in range(MANAGERS):
            loc = localities[i % len(localities)]
            user = auth.create_user(s, f"cm{i:02d}", f"Case manager {i}", Role.CASE_MANAGER,
                                    PASSWORD)
            s.add(CaseManager(user_id=user.id, job_title="Community matron",
                              locality_code=loc))
            s.flush()
            mine = [n for n, where in level3 if where == loc][(i // len(localities)) * CASELOAD:]
            caseloads[user.username] = mine[:CASELOAD]
            for nhs in caseloads[user.username]:
                cases.allocate(s, nhs, user.id, admin, date(2025, 4, 1))
    print(f"caseloads: {sum(len(v) for v in caseloads.values()):,} people on "
          f"{len(caseloads)} caseloads")
    with unit_of_work(factory) as s:
        run = current_run(s)
        assert run is not None
        busiest = s.execute(select(RecallPerson.practice_code, func.count()).where(
            RecallPerson.run_id == run.id).group_by(RecallPerson.practice_code)
            .order_by(func.count().desc()).limit(NURSES)).all()
        for i, (practice, _due) in enumerate(busiest):
            if practice is None:
                continue
            auth.create_user(s, f"pn{i:02d}", f"Practice nurse {i}", Role.PRACTICE_NURSE,
                             PASSWORD, practice)
    if busiest:
        print(f"practice nurses: {len(busiest)} practices, {busiest[0][1]:,} to "
              f"{busiest[-1][1]:,} people due each")
    else:
        print("practice nurses: none (the run kept no recall statuses)")
    if url.startswith("postgresql"):
        # the planner's statistics, as autovacuum keeps them on a store in use
        with make_engine(url).connect() as c:
            c.execute(text("ANALYZE"))
            c.commit()
    return caseloads


class Connection:
    """A minimal HTTP/1.1 keep-alive client: the load generator must cost the 2 cores as
    little as it can, so what is measured is the server (httpx costs several times more)."""

    def __init__(self, host: str, port: int, headers: dict[str, str]) -> None:
        self.host, self.port = host, port
        self.extra = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def get(self, path: str) -> int:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        self.writer.write(f"GET {path} HTTP/1.1\r\nHost: {self.host}\r\n{self.extra}\r\n"
                          .encode())
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length, close = 0, False
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"connection" and value.strip().lower() == b"close":
                close = True
        await self.reader.readexactly(length)
        if close:  # the server asks for a new connection
            self.close()
            self.reader = self.writer = None
        return status

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


def ward_boards(url: str) -> dict[str, list[str]]:
    """{co-ordinator: [their ward board's path]}, making the wards on the first call: ward
    ``i`` is co-ordinated by case manager ``cm<i>``, serves the practices of the 40 level-3
    people of that case manager's locality it admits, half of them with a care plan and all
    with yesterday's ward round."""
    from ltc.care.auth.models import User
    from ltc.care.careplans import services as plans

    factory = sessions(make_engine(url))
    with unit_of_work(factory) as s:
        made = s.execute(select(User.username, Ward.id).join(
            Ward, Ward.coordinator_id == User.id).where(Ward.name.like(f"{WARD_PREFIX}%"))
            .order_by(Ward.id)).all()
        if made:
            return {name: [f"/wards/{ward_id}"] for name, ward_id in made}
        run = current_run(s)
        assert run is not None
        started = time.perf_counter()
        yesterday = date.today() - timedelta(days=1)
        taken: set[str] = set()
        out: dict[str, list[str]] = {}
        for i in range(WARDS):
            cm = s.scalar(select(User).where(User.username == f"cm{i:02d}"))
            assert cm is not None
            profile = s.get(CaseManager, cm.id)
            assert profile is not None
            assert profile.locality_code is not None
            people = [p for p in s.scalars(select(Person).join(
                PersonResult, PersonResult.nhs_number == Person.nhs_number).where(
                PersonResult.run_id == run.id, PersonResult.level == 3,
                Person.locality_code == profile.locality_code,
                Person.practice_code.is_not(None)).order_by(Person.nhs_number)
                .limit(DEFAULT_CAPACITY * 3)) if p.nhs_number not in taken]
            people = people[:DEFAULT_CAPACITY]
            ward = wards_service.save_ward(s, cm, wards_service.WardIn(
                name=f"{WARD_PREFIX}{i}", locality_code=profile.locality_code,
                practices=sorted({p.practice_code for p in people if p.practice_code}),
                coordinator_id=cm.id, staff=(), capacity=DEFAULT_CAPACITY))
            for k, person in enumerate(people):
                wards_service.admit(s, cm, person.nhs_number, ward.id, yesterday, "worklist",
                                    "Frailty: falls at home")
                if k % 2 == 0:
                    plans.save(s, person.nhs_number, {
                        "status": "active", "goals": ["Stay at home"],
                        "review_date": "2026-06-30",
                        "actions": [{"who": "Ward nurse", "what": "Visit daily"}]}, 0, cm)
                wards_service.save_round(s, cm, ward, person.nhs_number, "Settled",
                                         "BP 132/80, SpO2 96%", "Continue", today=yesterday)
                taken.add(person.nhs_number)
            out[cm.username] = [f"/wards/{ward.id}"]
        print(f"wards: {len(out)} wards, {len(taken):,} people on them, made in "
              f"{time.perf_counter() - started:.1f} s")
        return out


def nurses(url: str) -> dict[str, list[str]]:
    """The practice nurses :func:`prepare` made, each with the recall pages they open."""
    from ltc.care.auth.models import User

    with unit_of_work(sessions(make_engine(url))) as s:
        names = s.scalars(select(User.username).where(
            User.role == Role.PRACTICE_NURSE.value, User.username.like("pn%"))
            .order_by(User.username)).all()
    return {name: list(RECALL_PATHS) for name in names}


def existing(url: str) -> dict[str, list[str]]:
    """The caseloads of a care store :func:`prepare` made earlier."""
    from ltc.care.auth.models import User
    from ltc.care.casemgmt.models import CaseloadEntry

    caseloads: dict[str, list[str]] = {}
    with unit_of_work(sessions(make_engine(url))) as s:
        for name, nhs in s.execute(select(User.username, CaseloadEntry.nhs_number).join(
                CaseloadEntry, CaseloadEntry.user_id == User.id).where(
                CaseloadEntry.ended_on.is_(None)).order_by(User.username)):
            caseloads.setdefault(name, []).append(nhs)
    return caseloads


async def drive(base: str, caseloads: dict[str, list[str]], clients: int, seconds: float,
                kind: str) -> tuple[list[float], int, float]:
    tokens = {}
    async with httpx.AsyncClient(base_url=base, timeout=30) as c:
        for name in caseloads:
            r = await c.post("/api/v1/session", json={"username": name, "password": PASSWORD})
            tokens[name] = r.json()["token"]
    latencies: list[float] = []
    errors = 0
    stop = time.perf_counter() + seconds
    names = list(caseloads)

    async def one(i: int) -> None:
        nonlocal errors
        name = names[i % len(names)]
        rng = random.Random(i)
        where = httpx.URL(base)
        c = Connection(where.host, where.port or 80,
                       {"Authorization": f"Bearer {tokens[name]}"})
        try:
            while time.perf_counter() < stop:
                path = (f"/people/{rng.choice(caseloads[name])}" if kind == "summary"
                        else rng.choice(caseloads[name]) if kind in ("recall", "ward")
                        else "/worklist")
                t0 = time.perf_counter()
                status = await c.get(path)
                latencies.append(time.perf_counter() - t0)
                if status != 200:
                    errors += 1
        finally:
            c.close()

    started = time.perf_counter()
    await asyncio.gather(*(one(i) for i in range(clients)))
    return latencies, errors, time.perf_counter() - started


def report(kind: str, latencies: list[float], errors: int, wall: float) -> None:
    q = statistics.quantiles(latencies, n=100)
    print(f"{kind:<16} {len(latencies) / wall:7.1f} req/s   p50 {1000 * q[49]:6.1f} ms   "
          f"p95 {1000 * q[94]:6.1f} ms   p99 {1000 * q[98]:6.1f} ms   errors {errors}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--care-url", default=None)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8799)
    parser.add_argument("--rounds", type=int, default=1,
                        help="measure each page this many times (the spread shows what "
                             "else the cores were doing)")
    parser.add_argument("--reuse", action="store_true",
                        help="drive the care store an earlier run of this script prepared")
    parser.add_argument("--no-model", action="store_true",
                        help="measure on the latest run even if no model scored it")
    args = parser.parse_args()
    if not args.no_model and not args.reuse:
        print(f"model-scored run: {model_scored(args.data_dir)}")
    if args.reuse:
        url = args.care_url or f"{SERVER}/ltc_bench"
        caseloads = existing(url)
    else:
        url = args.care_url or fresh_database("ltc_bench")
        caseloads = prepare(url, args.data_dir)
    env = {**os.environ, "LTC_CARE_DATABASE_URL": url}
    server = subprocess.Popen([sys.executable, "-m", "ltc", "serve", "--data-dir",
                               str(args.data_dir), "--port", str(args.port), "--workers",
                               str(args.workers)], env=env)
    base = f"http://127.0.0.1:{args.port}"
    try:
        for _ in range(200):
            try:
                if httpx.get(f"{base}/login", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        print(f"web: {args.clients} clients, {args.seconds:.0f} s each, "
              f"{args.workers} server workers")
        recalling = nurses(url)
        boards = ward_boards(url)
        for _ in range(args.rounds):
            for kind, users in (("summary", caseloads), ("worklist", caseloads),
                                ("recall", recalling), ("ward", boards)):
                if not users:
                    continue
                asyncio.run(drive(base, users, args.clients, 3, kind))  # warm up
                report(kind, *asyncio.run(drive(base, users, args.clients,
                                                 args.seconds, kind)))
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    main()
