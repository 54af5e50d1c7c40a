"""Writing HL7 v2 ADT messages and sending them over MLLP: for testing a listener, the
demonstration and the benchmark (``ltc events send``; CM-8, CM-9, STRAT-2)."""

from __future__ import annotations

import socket
from collections.abc import Iterable, Iterator
from datetime import datetime

from ltc.interop.hl7v2.mllp import CR, EB, SB, frame


def message(trigger: str, control_id: str, nhs_number: str | None, at: datetime, *,
            spell_id: str = "", admission_type: str = "21", ward: str = "WARD 7",
            facility: str = "RXX01", died: bool = False,
            links: Iterable[tuple[str, str]] = (), version: str = "2.4",
            sender: tuple[str, str] = ("PAS", "RXX")) -> str:
    """An ADT message (``trigger`` such as A01) for ``nhs_number`` at ``at``."""
    stamp = at.strftime("%Y%m%d%H%M%S")
    ident = f"{nhs_number}^^^NHS^NH~H123456^^^RXX^MR" if nhs_number else "H123456^^^RXX^MR"
    pv1 = [""] * 46
    pv1[0], pv1[1], pv1[2] = "PV1", "1", "I" if trigger != "A04" else "E"
    pv1[3] = f"{ward}^^^{facility}"
    pv1[4] = admission_type
    pv1[19] = spell_id
    pv1[36] = "4" if died and trigger == "A03" else ""
    if trigger in ("A01", "A04"):
        pv1[44] = stamp
    if trigger == "A03":
        pv1[45] = stamp
    pid = f"PID|1||{ident}||Testperson^Alex||19400517|F" + ("|" * 22 + "Y" if died else "")
    segments = [
        f"MSH|^~\\&|{sender[0]}|{sender[1]}|LTC|ICB|{stamp}||ADT^{trigger}^ADT_A01|"
        f"{control_id}|P|{version}",
        f"EVN|{trigger}|{stamp}|||||{stamp}",
        pid,
    ]
    segments += [f"NK1|{i}|Related^Person|{rel}^^HL70063" + "|" * 30 + f"{nhs}^^^NHS^NH"
                 for i, (nhs, rel) in enumerate(links, start=1)]
    segments.append("|".join(pv1))
    return "\r".join(segments) + "\r"


def _acks(sock: socket.socket) -> Iterator[str]:
    buffer = b""
    while True:
        end = buffer.find(EB + CR)
        while end < 0:
            chunk = sock.recv(65536)
            if not chunk:
                return
            buffer += chunk
            end = buffer.find(EB + CR)
        start = buffer.find(SB)
        yield buffer[start + 1:end].decode("utf-8", "replace")
        buffer = buffer[end + 2:]


def send(host: str, port: int, messages: Iterable[str | bytes],
         timeout: float = 30.0) -> list[str]:
    """Send each message on one connection, waiting for its acknowledgement; returns the
    acknowledgements. ``bytes`` are sent as they are (already framed, or not)."""
    out: list[str] = []
    with socket.create_connection((host, port), timeout=timeout) as sock:
        acks = _acks(sock)
        for m in messages:
            sock.sendall(m if isinstance(m, bytes) else frame(m))
            out.append(next(acks))
    return out


def ack_code(ack: str) -> str:
    """MSA-1 of an acknowledgement."""
    for segment in ack.split("\r"):
        if segment.startswith("MSA|"):
            return segment.split("|")[1]
    return ""
