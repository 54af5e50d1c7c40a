"""The MLLP server for HL7 v2 messages (CM-8, CM-9, STRAT-2).

MLLP (HL7 v2 Minimal Lower Layer Protocol) frames each message as ``<VT> message <FS><CR>``
(0x0B ... 0x1C 0x0D) on a TCP connection. Each connection's messages are taken in order:
a message is handed to the ``handle`` function the server is given (which applies it and
returns its acknowledgement, in a thread of the server's pool) and only then is the
acknowledgement sent. Bytes outside a frame are dropped; a frame larger than
:data:`ltc.interop.hl7v2.parser.MAX_MESSAGE` is answered ``AR`` and closes the connection.

The server logs each message's outcome as the handler summarises it, never patient data.
"""

from __future__ import annotations

import asyncio
import logging
import time
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Protocol

from ltc.interop.hl7v2.parser import MAX_MESSAGE, ack

SB, EB, CR = b"\x0b", b"\x1c", b"\x0d"
log = logging.getLogger("ltc.listen")


class Answer(Protocol):
    """What a handler returns for one message: the acknowledgement to send and a line for
    the log (no patient data)."""

    @property
    def ack(self) -> str: ...

    @property
    def summary(self) -> str: ...


#: applies one message (its text, and when it was received, ``time.perf_counter()``)
Handler = Callable[[str, float], Answer]


def log_failure(what: str, err: BaseException) -> None:
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


async def read_frame(reader: asyncio.StreamReader, limit: int = MAX_MESSAGE) -> bytes | None:
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
    """The MLLP server: ``await start()``, then ``await stop()``. ``handle`` applies one
    message; ``deliver``, when given, runs every ``deliver_every`` seconds in a thread of its
    own and once more when the server stops (the care plane's notification delivery)."""

    def __init__(self, handle: Handler, host: str, port: int, *,
                 threads: int = 4, deliver: Callable[[], object] | None = None,
                 deliver_every: float = 2.0,
                 on_handled: Callable[[Answer], None] | None = None) -> None:
        self.handle, self.host, self.port = handle, host, port
        self.pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="listen")
        self.deliver, self.deliver_every = deliver, deliver_every
        self.on_handled = on_handled
        self.server: asyncio.base_events.Server | None = None
        self._delivery: asyncio.Task[None] | None = None
        self._connections: set[asyncio.Task[None]] = set()

    async def start(self) -> int:
        """Listen; returns the port (useful with port 0)."""
        self.server = await asyncio.start_server(self._connection, self.host, self.port,
                                                 limit=MAX_MESSAGE + 16)
        if self.deliver is not None:
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
        if self.deliver is not None:
            await asyncio.to_thread(self.deliver)

    async def _deliver_loop(self) -> None:
        assert self.deliver is not None
        while True:
            await asyncio.sleep(self.deliver_every)
            try:  # in a thread of its own: messages never wait for the delivery
                await asyncio.to_thread(self.deliver)
            except Exception as err:  # try again next time
                log_failure("notifications could not be delivered", err)

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
                    writer.write(frame(ack("", "AR", "the message is longer than "
                                           f"{MAX_MESSAGE} bytes")))
                    await writer.drain()
                    break
                if data is None:
                    break
                received = time.perf_counter()
                raw = decode(data)
                handled = await loop.run_in_executor(self.pool, self.handle, raw, received)
                log.info("message %s", handled.summary)
                if self.on_handled is not None:
                    self.on_handled(handled)
                writer.write(frame(handled.ack))
                await writer.drain()
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            self._connections.discard(task)
            writer.close()
