"""``ltc listen``: the MLLP listener for HL7 v2 ADT messages (CM-8, CM-9, STRAT-2).

The MLLP server itself (framing, connections, the thread pool) is
:class:`ltc.interop.hl7v2.mllp.Server`; this module gives it the function that applies a
message. A message is read (:func:`ltc.interop.feeds.receive`), applied by the care
plane's services in its own transaction, which this loop opens and commits, and only then
acknowledged (so an ``AA`` means the alerts are in the store). A message that cannot be
applied is quarantined in a fresh transaction and answered ``AE`` or ``AR``; nothing of it
is applied.

The listener logs each message's control id and outcome, never patient data.
"""

from __future__ import annotations

import asyncio
import signal
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from ltc.care.db import unit_of_work
from ltc.care.events import notify
from ltc.care.events import services as events
from ltc.care.events.feed import FeedError
from ltc.care.events.rules import Rules
from ltc.interop import feeds
from ltc.interop.hl7v2 import parser as hl7v2
from ltc.interop.hl7v2.mllp import (
    CR,
    EB,
    SB,
    Answer,
    Server,
    decode,
    frame,
    log_failure,
    read_frame,
)

__all__ = ["CR", "EB", "SB", "Handled", "Listener", "Server", "decode", "frame",
           "read_frame", "run", "server"]


@dataclass
class Handled:
    ack: str
    outcome: events.Outcome
    seconds: float  # from receipt to commit

    @property
    def summary(self) -> str:
        """The log line: the message's row id and outcome, no patient data."""
        return f"{self.outcome.message_id}: {self.outcome.status} ({self.outcome.code})"


@dataclass
class Listener:
    """Applies messages to the care store; ``handle`` is safe to call from threads."""

    factory: sessionmaker[Session]
    rules: Rules
    counts: Counter[str] = field(default_factory=Counter)

    def handle(self, raw: str, received: float | None = None) -> Handled:
        received = received or time.perf_counter()
        outcome = self._apply(raw)
        self.counts[outcome.status] += 1
        ack = hl7v2.ack(raw, outcome.code, outcome.problem if outcome.code != "AA" else "",
                        condition=outcome.condition)
        return Handled(ack, outcome, time.perf_counter() - received)

    def _apply(self, raw: str) -> events.Outcome:
        for attempt in range(3):
            try:
                with unit_of_work(self.factory) as session:
                    return feeds.receive(session, self.rules, "hl7v2", raw)
            except IntegrityError:
                # the same message arrived on another connection at the same moment: the
                # next attempt finds it and counts this one as its duplicate
                if attempt == 2:
                    break
            except OperationalError as err:  # the store is busy or gone: the sender retries
                if attempt == 2:
                    log_failure("the care store could not be written", err)
                    # HL7 v2 original mode: AR, rejected for a reason unrelated to content
                    return events.Outcome("failed", "AR", None, "the care store could not "
                                          "be written; send the message again", "207")
                time.sleep(0.2 * (attempt + 1))
            except Exception as err:  # keep it, apply nothing, say so
                log_failure("a message could not be applied", err)
                return self._keep(raw, FeedError("AE", "it could not be applied "
                                                 f"({type(err).__name__}); it is kept in the "
                                                 "quarantine for an administrator", "207"))
        return self._keep(raw, FeedError("AE", "it could not be applied; it is kept in the "
                                         "quarantine for an administrator", "207"))

    def _keep(self, raw: str, error: FeedError) -> events.Outcome:
        with unit_of_work(self.factory) as session:
            return feeds.quarantine(session, "hl7v2", raw, error)

    def deliver(self, notifier: notify.Notifier) -> int:
        with unit_of_work(self.factory) as session:
            return notify.deliver(session, notifier)


def server(listener: Listener, host: str, port: int, *, threads: int = 4,
           notifier: notify.Notifier | None = None, deliver_every: float = 2.0,
           on_handled: Callable[[Answer], None] | None = None) -> Server:
    """An MLLP server applying messages with ``listener`` and, with a ``notifier``,
    delivering the notifications they make every ``deliver_every`` seconds."""
    deliver = None if notifier is None else (lambda: listener.deliver(notifier))
    return Server(listener.handle, host, port, threads=threads, deliver=deliver,
                  deliver_every=deliver_every, on_handled=on_handled)


def run(factory: sessionmaker[Session], rules: Rules, host: str, port: int,
        outbox: Path | None, threads: int = 4,
        ready: Callable[[int], None] | None = None) -> Counter[str]:
    """Serve until SIGINT or SIGTERM; returns the messages handled, by outcome."""
    listener = Listener(factory, rules)

    async def main() -> None:
        mllp = server(listener, host, port, threads=threads,
                      notifier=notify.OutboxFile(outbox) if outbox else None)
        bound = await mllp.start()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        if ready is not None:
            ready(bound)
        await stop.wait()
        await mllp.stop()

    asyncio.run(main())
    return listener.counts
