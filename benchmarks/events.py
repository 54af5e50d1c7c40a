"""Benchmark: real-time events, from receipt of an ADT message to its committed alert.

    uv run python benchmarks/events.py [--seconds 60] [--rate 50] [--connections 4]
                                       [--people 100000] [--postgres URL] [--data-dir DIR]

Prepares a care store (an SQLite file in DIR, or the PostgreSQL database URL) with
``--people`` people of a current stratification run, 3% of them at level 3 and 2,000 of
those (at most three quarters of them) on 40 case managers' caseloads, one practice
clinician per practice (bulk inserts). A store that already has a current run (an
earlier run of this script with the same DIR or URL, or a run loaded with ``ltc care
load-run``) is used as it is.

``--analyze`` gives an SQLite store the planner's statistics (ANALYZE), which ``ltc care
load-run`` gives PostgreSQL only; without them SQLite reads the person's result of the
current run by scanning an index of every result (see docs/benchmarks.md).

Then starts ``ltc listen`` as its own process and sends HL7 v2 ADT messages at a fixed
rate (``--rate`` a second, for ``--seconds``) over ``--connections`` MLLP connections:
admissions (A01) of case-managed people 30%, admissions of other people 20% (half of them
level 3), discharges (A03) 25%, updates (A08) 18%, duplicates (a message sent again) 5%
and malformed messages 2%. Each message has its time on a fixed timetable, and each
connection sends on time whether or not the acknowledgement of its previous message has
come (so a slow answer does not lower the offered rate); the listener answers each
connection's messages in order. ``--warmup`` seconds of the same mix go first and are
not measured (the listener process's first messages pay for imports and caches).

For each message the script measures the time from sending its last byte to receiving
its acknowledgement, which the listener sends only after the message's alerts are
committed, and prints count, achieved rate, p50, p95, p99 and max, and the
acknowledgement codes. Finally it counts in the store the alerts the messages made
against what the rules say the mix should make.

Target (issue: real-time events): p99 <= 200 ms at 50 messages/s sustained for 60 s on
2 cores. Figures go in docs/benchmarks.md with this command.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from ltc.care.auth.models import Role, User
from ltc.care.auth.services import hash_password
from ltc.care.casemgmt.models import CaseloadEntry, CaseManager
from ltc.care.db import copy_rows, make_engine, now, sessions, unit_of_work, upgrade
from ltc.care.events.models import Alert, InboundMessage
from ltc.care.events.rules import Rules, load
from ltc.care.people.models import Person, PersonResult, StratRun
from ltc.care.people.services import vacuum_loaded
from ltc.codes.nhs_number import from_serials
from ltc.interop.hl7v2 import adt
from ltc.interop.hl7v2.mllp import CR, EB, SB, frame

PRACTICES, LOCALITIES, MANAGERS, CASELOAD = 20, 5, 40, 50
LEVELS, LEVEL_SHARES = (0, 1, 2, 3), (0.57, 0.30, 0.10, 0.03)
#: the mix: (kind, share)
MIX = (("admit_managed", 0.30), ("admit_other", 0.20), ("discharge", 0.25), ("update", 0.18),
       ("duplicate", 0.05), ("malformed", 0.02))


# -- the care store ----------------------------------------------------------------------
def _insert(session: Session, model: Any, rows: list[dict[str, Any]], postgres: bool) -> None:
    for start in range(0, len(rows), 20_000):
        part = rows[start:start + 20_000]
        if postgres:
            copy_rows(session, model.__tablename__, part)
        else:
            session.execute(insert(model), part)


def seed(url: str, people: int, rng: np.random.Generator) -> None:
    """A current run of ``people`` people, case managers with full caseloads and one
    practice clinician per practice."""
    postgres = url.startswith("postgresql")
    numbers = [str(n) for n in from_serials(np.arange(1, people + 1, dtype=np.int64),
                                            prefix=9)]
    practice = rng.integers(0, PRACTICES, people)
    level = rng.choice(LEVELS, people, p=LEVEL_SHARES)
    born = rng.integers(0, 70 * 365, people)
    with unit_of_work(sessions(make_engine(url))) as s:
        s.add(StratRun(id="run-0001", as_of=date(2025, 3, 31), people=people, current=True))
        s.flush()
        person_rows, result_rows = [], []
        for i, nhs in enumerate(numbers):
            code, loc = f"B{81001 + practice[i]}", f"L{1 + practice[i] % LOCALITIES}"
            person_rows.append({"nhs_number": nhs, "practice_code": code, "locality_code": loc,
                                "date_of_birth": date(1935, 1, 1) + timedelta(int(born[i])),
                                "sex": "F" if i % 2 else "M", "postcode_district": None,
                                "date_of_death": None})
            result_rows.append({"run_id": "run-0001", "nhs_number": nhs,
                                "level": int(level[i]), "locality_code": loc,
                                "practice_code": code, "level_basis": "benchmark",
                                "reasons": "", "risk": float(rng.random()),
                                "risk_percentile": None, "age": None, "ltc_count": 2,
                                "emergency_12m": None, "charlson": None, "efi": None,
                                "efi_category": None, "hfrs": None, "cms": None,
                                "registers": "copd", "known_to_community_nursing": False,
                                "known_to_social_care": False})
        _insert(s, Person, person_rows, postgres)
        _insert(s, PersonResult, result_rows, postgres)
        secret = hash_password("benchmark-password")
        admin = User(username="bench-admin", display_name="Admin", role=Role.ADMIN.value,
                     password_hash=secret)
        s.add(admin)
        for p in range(PRACTICES):
            s.add(User(username=f"gp{p:02d}", display_name=f"GP {p}",
                       role=Role.PRACTICE_CLINICIAN.value, password_hash=secret,
                       practice_code=f"B{81001 + p}"))
        managers = [User(username=f"cm{m:02d}", display_name=f"Case manager {m}",
                         role=Role.CASE_MANAGER.value, password_hash=secret)
                    for m in range(MANAGERS)]
        s.add_all(managers)
        s.flush()
        for m, user in enumerate(managers):
            s.add(CaseManager(user_id=user.id, job_title="Community matron",
                              locality_code=f"L{1 + m % LOCALITIES}"))
        s.flush()
        level3 = [n for n, lv in zip(numbers, level, strict=True) if lv == 3]
        entries = [{"nhs_number": nhs, "user_id": managers[k // CASELOAD].id,
                    "started_on": date(2025, 4, 1), "allocated_by": admin.id,
                    "suggested_user_id": None, "ended_on": None, "discharge_reason": None}
                   for k, nhs in enumerate(level3[:min(MANAGERS * CASELOAD,
                                                       3 * len(level3) // 4)])]
        _insert(s, CaseloadEntry, entries, postgres)
    if postgres:  # as ltc care load-run leaves it: analysed, and the loaded tables vacuumed
        analyze(url)
        vacuum_loaded(make_engine(url))


def analyze(url: str) -> None:
    with make_engine(url).connect() as c:
        c.execute(text("ANALYZE"))
        c.commit()


@dataclass
class Groups:
    managed: list[str]  # on a caseload
    level3: list[str]  # at a practice alert level, not on a caseload, with a practice
    others: list[str]  # anyone else


def groups(url: str, rules: Rules, rng: random.Random, sample: int = 20_000) -> Groups:
    with sessions(make_engine(url))() as s:
        managed = set(s.scalars(select(CaseloadEntry.nhs_number)
                                .where(CaseloadEntry.ended_on.is_(None))))
        rows = s.execute(select(PersonResult.nhs_number, PersonResult.level,
                                Person.practice_code)
                         .join(StratRun, StratRun.id == PersonResult.run_id)
                         .join(Person, Person.nhs_number == PersonResult.nhs_number)
                         .where(StratRun.current.is_(True))).all()
    alerting = {n for n, lv, p in rows if n not in managed
                and lv in rules.practice_alert_levels and p}
    others = sorted(n for n, _, _ in rows if n not in managed and n not in alerting)
    return Groups(sorted(managed), sorted(alerting),
                  rng.sample(others, min(sample, len(others))))


# -- the messages ------------------------------------------------------------------------
@dataclass
class Plan:
    messages: list[bytes] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    codes: Counter[str] = field(default_factory=Counter)  # expected acknowledgements
    alerts: int = 0  # expected alerts


def _malformed(i: int, control: str, nhs: str, at: datetime) -> tuple[str, str]:
    good = adt.message("A01", control, nhs, at, spell_id=f"{control}S")
    variants = [
        (good.replace(at.strftime("%Y%m%d%H%M%S"), "20261345250000"), "AE"),  # no such day
        (adt.message("A01", control, nhs, at, admission_type="ZZ"), "AE"),
        ("\r".join(s for s in good.split("\r") if not s.startswith("PV1")), "AE"),
        (good.replace("ADT^A01^ADT_A01", "ORU^R01^ORU_R01"), "AR"),
        ("HELLO, this is not HL7", "AR"),
        (good.replace(f"|{control}|P|", f"|{control}|T|"), "AR"),  # training, not production
    ]
    return variants[i % len(variants)]


def plan(total: int, people: Groups, rules: Rules, rng: random.Random, start: datetime,
         label: str) -> Plan:
    """``total`` messages in the mix, and what the rules say they should make; control ids
    and spell numbers begin with ``label`` and the time."""
    out = Plan()
    run = f"{label}{start:%Y%m%d%H%M%S}"
    kinds, weights = zip(*MIX, strict=True)
    chosen = rng.choices(kinds, weights, k=total)
    everyone = people.managed + people.level3 + people.others
    group = dict.fromkeys(people.managed, "managed") | dict.fromkeys(people.level3, "level3")
    open_spells: list[tuple[str, str]] = []
    sent: list[str] = []
    spell = 0
    for i, kind in enumerate(chosen):
        at = start + timedelta(seconds=i)
        control = f"{run}-{i}"
        if kind == "duplicate" and not sent:
            kind = "update"
        if kind == "discharge" and not open_spells:
            kind = "admit_managed"
        if kind in ("admit_managed", "admit_other"):
            if kind == "admit_managed":
                nhs = rng.choice(people.managed)
            else:
                pool = people.level3 if people.level3 and rng.random() < 0.5 else people.others
                nhs = rng.choice(pool)
            spell += 1
            sid = f"{run}S{spell}"
            message = adt.message("A01", control, nhs, at, spell_id=sid,
                                  admission_type=rng.choice(("21", "21", "11", "2A")))
            open_spells.append((nhs, sid))
            g = group.get(nhs)
            out.alerts += (g == "managed" and rules.alert_case_manager) or g == "level3"
            code = "AA"
        elif kind == "discharge":
            nhs, sid = open_spells.pop(rng.randrange(len(open_spells)))
            message = adt.message("A03", control, nhs, at, spell_id=sid)
            out.alerts += group.get(nhs) == "level3"
            code = "AA"
        elif kind == "update":
            message = adt.message("A08", control, rng.choice(everyone), at)
            code = "AA"
        elif kind == "duplicate":
            message = rng.choice(sent)  # the same message, control id and all
            code = "AA"
        else:
            message, code = _malformed(i, control, rng.choice(everyone), at)
        if kind != "malformed" and kind != "duplicate":
            sent.append(message)
        out.messages.append(frame(message))
        out.kinds.append(kind)
        out.codes[code] += 1
    return out


# -- sending -----------------------------------------------------------------------------
@dataclass
class Answer:
    seconds: float
    code: str
    at: float  # when it came (perf_counter)


async def lane(host: str, port: int, timetable: list[tuple[float, int, bytes]],
               answers: dict[int, Answer], first: list[float]) -> None:
    """Send this connection's messages on time, and take their acknowledgements in order."""
    reader, writer = await asyncio.open_connection(host, port)
    waiting: deque[tuple[int, float]] = deque()

    async def receive() -> None:
        for _ in timetable:
            data = await reader.readuntil(EB + CR)
            came = time.perf_counter()
            i, sent = waiting.popleft()
            ack = data[data.index(SB) + 1:-2].decode("utf-8", "replace")
            answers[i] = Answer(came - sent, adt.ack_code(ack), came)

    receiving = asyncio.create_task(receive())
    for due, i, data in timetable:
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        writer.write(data)
        waiting.append((i, time.perf_counter()))
        first.append(waiting[-1][1])
        await writer.drain()
    await receiving
    writer.close()


async def drive(host: str, port: int, messages: list[bytes], rate: float,
                connections: int) -> tuple[dict[int, Answer], float]:
    answers: dict[int, Answer] = {}
    sends: list[float] = []
    start = time.perf_counter() + 0.5
    lanes: list[list[tuple[float, int, bytes]]] = [[] for _ in range(connections)]
    for i, data in enumerate(messages):
        lanes[i % connections].append((start + i / rate, i, data))
    await asyncio.gather(*(lane(host, port, t, answers, sends) for t in lanes))
    wall = max(a.at for a in answers.values()) - min(sends)
    return answers, wall


# -- the listener ------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_listener(data_dir: Path, url: str, port: int, log: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "LTC_CARE_DATABASE_URL": url, "PYTHONUNBUFFERED": "1"}
    with open(log, "w") as errors:
        child = subprocess.Popen([sys.executable, "-m", "ltc", "listen", "--data-dir",
                                  str(data_dir), "--port", str(port)], env=env,
                                 stdout=subprocess.PIPE, stderr=errors, text=True)
    assert child.stdout is not None
    for line in child.stdout:
        if "Listening" in line:
            break
    else:
        raise SystemExit(f"ltc listen stopped before listening; see {log}")
    out = child.stdout
    threading.Thread(target=lambda: out.read(), daemon=True).start()  # keep the pipe empty
    return child


def quantile(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--rate", type=float, default=50, help="messages a second")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--postgres", metavar="URL", help="the care store on PostgreSQL")
    parser.add_argument("--data-dir", type=Path, help="keep (or reuse) the data here")
    parser.add_argument("--warmup", type=float, default=3,
                        help="seconds of messages sent first and not measured")
    parser.add_argument("--analyze", action="store_true",
                        help="give an SQLite store the planner's statistics first (ltc care "
                        "load-run leaves SQLite without them, PostgreSQL with them)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    work = args.data_dir or Path(tempfile.mkdtemp(prefix="ltc-events-"))
    work.mkdir(parents=True, exist_ok=True)
    url = args.postgres or f"sqlite:///{work.resolve() / 'care.db'}"
    engine = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    rules = load()
    rng = random.Random(args.seed)
    try:
        upgrade(url)
        with sessions(make_engine(url))() as s:
            existing = s.scalar(select(StratRun.id).where(StratRun.current.is_(True)))
        started = time.perf_counter()
        if existing is None:
            seed(url, args.people, np.random.default_rng(args.seed))
            print(f"seeded {args.people:,} people in {time.perf_counter() - started:.1f} s")
        if args.analyze:
            analyze(url)
        people = groups(url, rules, rng)
        with sessions(make_engine(url))() as s:
            alerts_before = s.scalar(select(func.count()).select_from(Alert)) or 0
            total_people = s.scalar(select(func.count()).select_from(Person)) or 0
        with make_engine(url).connect() as c:
            statistics_kept = engine == "PostgreSQL" or bool(c.execute(text(
                "SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")).scalar())
        print(f"events: {total_people:,} people, {len(people.managed):,} on caseloads, "
              f"{len(people.level3):,} other level 3; care store {engine} "
              f"({'with' if statistics_kept else 'without'} planner statistics)")
        total = int(args.rate * args.seconds)
        start = now().replace(microsecond=0) - timedelta(days=1)
        warm = plan(int(args.rate * args.warmup), people, rules, rng, start, "W")
        messages = plan(total, people, rules, rng, start, "B")
        port = free_port()
        listener = start_listener(work, url, port, work / "listen.log")
        try:
            if warm.messages:  # the listener's first messages (imports, caches) not measured
                asyncio.run(drive("127.0.0.1", port, warm.messages, args.rate,
                                  args.connections))
            answers, wall = asyncio.run(drive("127.0.0.1", port, messages.messages,
                                              args.rate, args.connections))
        finally:
            listener.terminate()
            listener.wait(30)
        latencies = [answers[i].seconds * 1000 for i in range(total)]
        codes = Counter(answers[i].code for i in range(total))
        print(f"sent {total:,} messages over {args.connections} connections at "
              f"{args.rate:g}/s for {args.seconds:g} s; achieved {total / wall:.1f}/s")
        print(f"receipt to committed acknowledgement: p50 {quantile(latencies, 50):6.1f} ms   "
              f"p95 {quantile(latencies, 95):6.1f} ms   p99 {quantile(latencies, 99):6.1f} ms"
              f"   max {max(latencies):6.1f} ms   (target p99 <= 200 ms)")
        by_kind: dict[str, list[float]] = {}
        for i, kind in enumerate(messages.kinds):
            by_kind.setdefault(kind, []).append(latencies[i])
        for kind, _ in MIX:
            values = by_kind.get(kind, [])
            if len(values) > 1:
                print(f"  {kind:<14} {len(values):6,}   p50 {quantile(values, 50):6.1f} ms"
                      f"   p99 {quantile(values, 99):6.1f} ms")
        print("acknowledgements: " + ", ".join(f"{c} {n:,}" for c, n in sorted(codes.items()))
              + ("  (as expected)" if codes == messages.codes else
                 f"  (expected {dict(sorted(messages.codes.items()))})"))
        with sessions(make_engine(url))() as s:
            alerts = (s.scalar(select(func.count()).select_from(Alert)) or 0) - alerts_before
            statuses = dict(s.execute(select(InboundMessage.status, func.count())
                                      .group_by(InboundMessage.status)).all())
        expected = warm.alerts + messages.alerts
        verdict = "as expected" if alerts == expected else "NOT as expected"
        print(f"alerts committed: {alerts:,}; the mix should make {expected:,} ({verdict}; "
              f"{warm.alerts:,} of them from the {len(warm.messages):,} warm-up messages)")
        print("messages in the store: " + ", ".join(f"{k} {v:,}" for k, v in
                                                     sorted(statuses.items())))
    finally:
        if args.data_dir is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
