"""``ltc listen``: the MLLP listener for HL7 v2 ADT messages.

MLLP (HL7 v2 Minimal Lower Layer Protocol) frames each message as ``<VT> message <FS><CR>``
(0x0B ... 0x1C 0x0D) on a TCP connection. Each connection's messages are taken in order:
a message is read, applied in its own transaction, committed, and only then acknowledged
(so an ``AA`` means the alerts are in the store). A message that cannot be applied is
quarantined in a fresh transaction and answered ``AE`` or ``AR``; nothing of it is
applied. Bytes outside a frame are dropped; a frame larger than
:data:`ltc.care.events.hl7v2.MAX_MESSAGE` closes the connection.

The listener logs each message's control id and outcome, never patient data.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import time
import traceback
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from ltc.care.db import unit_of_work
from ltc.care.events import hl7v2, notify
from ltc.care.events import services as events
from ltc.care.events.feed import FeedError
from ltc.care.events.rules import Rules

SB, EB, CR = b"\x0b", b"\x1c", b"\x0d"
log = logging.getLogger("ltc.listen")


def _log_failure(what: str, err: BaseException) -> None:
    """Log a failure by its type and where in the code it happened, never by its message
    or the values it carried: they may be patient data (a constraint error repeats the
    row's values, a parser error a field of the message)."""
    frames = traceback.extract_tb(err.__traceback__)[-3:]
    where = "; ".join(f"{Path(f.filename).name}:{f.lineno} in {f.name}" for f in frames)
    log.error("%s: %s at %s", what, type(err).__name__, where or "?")


def frame(message: str) -> bytes:
    """``message`` framed for MLLP."""
    return SB + message.encode("utf-8") + EB + CR


def decode(data: bytes) -> str:
    """Message bytes as text: UTF-8, or ISO 8859-1 (HL7's common single-byte character
    set) when they are not UTF-8."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


@dataclass
class Handled:
    ack: str
    outcome: events.Outcome
    seconds: float  # from receipt to commit


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
                    return events.receive(session, self.rules, "hl7v2", raw)
            except IntegrityError:
                # the same message arrived on another connection at the same moment: the
                # next attempt finds it and counts this one as its duplicate
                if attempt == 2:
                    break
            except OperationalError as err:  # the store is busy or gone: the sender retries
                if attempt == 2:
                    _log_failure("the care store could not be written", err)
                    # HL7 v2 original mode: AR, rejected for a reason unrelated to content
                    return events.Outcome("failed", "AR", None, "the care store could not "
                                          "be written; send the message again", "207")
                time.sleep(0.2 * (attempt + 1))
            except Exception as err:  # keep it, apply nothing, say so
                _log_failure("a message could not be applied", err)
                return self._keep(raw, FeedError("AE", "it could not be applied "
                                                 f"({type(err).__name__}); it is kept in the "
                                                 "quarantine for an administrator", "207"))
        return self._keep(raw, FeedError("AE", "it could not be applied; it is kept in the "
                                         "quarantine for an administrator", "207"))

    def _keep(self, raw: str, error: FeedError) -> events.Outcome:
        with unit_of_work(self.factory) as session:
            return events.quarantine(session, "hl7v2", raw, error)

    def deliver(self, notifier: notify.Notifier) -> int:
        with unit_of_work(self.factory) as session:
            return notify.deliver(session, notifier)


async def read_frame(reader: asyncio.StreamReader, limit: int = hl7v2.MAX_MESSAGE) -> bytes | None:
    """The next framed message's bytes, or None when the connection ends. Raises
    ValueError for a frame longer than ``limit``."""
    # skip to the start of a frame
    while True:
        byte = await reader.read(1)
        if not byte:
            return None
        if byte == SB:
            break
    try:
        data = await reader.readuntil(EB + CR)
    except asyncio.IncompleteReadError:
        return None  # the connection ended inside a frame: nothing to apply
    except asyncio.LimitOverrunError as err:
        raise ValueError("frame too long") from err
    if len(data) - 2 > limit:
        raise ValueError("frame too long")
    return data[:-2]


class Server:
    """The MLLP server: ``await start()``, then ``await stop()``."""

    def __init__(self, listener: Listener, host: str, port: int, *,
                 threads: int = 4, notifier: notify.Notifier | None = None,
                 deliver_every: float = 2.0,
                 on_handled: Callable[[Handled], None] | None = None) -> None:
        self.listener, self.host, self.port = listener, host, port
        self.pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="listen")
        self.notifier, self.deliver_every = notifier, deliver_every
        self.on_handled = on_handled
        self.server: asyncio.base_events.Server | None = None
        self._delivery: asyncio.Task[None] | None = None
        self._connections: set[asyncio.Task[None]] = set()

    async def start(self) -> int:
        """Listen; returns the port (useful with port 0)."""
        self.server = await asyncio.start_server(self._connection, self.host, self.port,
                                                 limit=hl7v2.MAX_MESSAGE + 16)
        if self.notifier is not None:
            self._delivery = asyncio.create_task(self._deliver_loop())
        return int(self.server.sockets[0].getsockname()[1])

    async def stop(self) -> None:
        if self.server is not None:
            self.server.close()
        for task in list(self._connections):
            task.cancel()
        if self._delivery is not None:
            self._delivery.cancel()
        if self.server is not None:
            await self.server.wait_closed()
        self.pool.shutdown(wait=True)
        if self.notifier is not None:
            await asyncio.to_thread(self.listener.deliver, self.notifier)

    async def _deliver_loop(self) -> None:
        assert self.notifier is not None
        while True:
            await asyncio.sleep(self.deliver_every)
            try:  # in a thread of its own: messages never wait for the delivery
                await asyncio.to_thread(self.listener.deliver, self.notifier)
            except Exception as err:  # try again next time
                _log_failure("notifications could not be delivered", err)

    async def _connection(self, reader: asyncio.StreamReader,
                          writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._connections.add(task)
        loop = asyncio.get_running_loop()
        try:
            while True:
                try:
                    data = await read_frame(reader)
                except ValueError:
                    writer.write(frame(hl7v2.ack("", "AR", "the message is longer than "
                                                 f"{hl7v2.MAX_MESSAGE} bytes")))
                    await writer.drain()
                    break
                if data is None:
                    break
                received = time.perf_counter()
                raw = decode(data)
                handled = await loop.run_in_executor(self.pool, self.listener.handle, raw,
                                                     received)
                log.info("message %s: %s (%s)", handled.outcome.message_id,
                         handled.outcome.status, handled.outcome.code)
                if self.on_handled is not None:
                    self.on_handled(handled)
                writer.write(frame(handled.ack))
                await writer.drain()
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            self._connections.discard(task)
            writer.close()


def run(factory: sessionmaker[Session], rules: Rules, host: str, port: int,
        outbox: Path | None, threads: int = 4,
        ready: Callable[[int], None] | None = None) -> Counter[str]:
    """Serve until SIGINT or SIGTERM; returns the messages handled, by outcome."""
    listener = Listener(factory, rules)

    async def main() -> None:
        server = Server(listener, host, port, threads=threads,
                        notifier=notify.OutboxFile(outbox) if outbox else None)
        bound = await server.start()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        if ready is not None:
            ready(bound)
        await stop.wait()
        await server.stop()

    asyncio.run(main())
    return listener.counts
