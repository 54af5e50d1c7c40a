"""NHS number validation and generation (POP-1).

The NHS number is 10 digits; the 10th is a Modulus 11 check digit. Multiply digits
1-9 by the weights 10, 9, ..., 2, sum, take the remainder mod 11 and subtract it from
11: a result of 11 gives check digit 0, a result of 10 means the number is invalid.
Source: NHS Data Dictionary, "NHS Number" attribute, format and validation.
"""

from __future__ import annotations

import hashlib

import numpy as np
import numpy.typing as npt

WEIGHTS = np.arange(10, 1, -1, dtype=np.int64)  # 10, 9, ..., 2
SERIALS = 10**8  # digits 2-9 of a generated number


def _ascii_digits(value: str) -> bool:
    """Only the digits 0-9 (``str.isdigit`` also accepts other scripts' digits and ``²``)."""
    return value.isascii() and value.isdigit()


def check_digit(first_nine: str) -> int | None:
    """The check digit for nine digits, or None when the check value is 10 (unusable)."""
    if len(first_nine) != 9 or not _ascii_digits(first_nine):
        raise ValueError(f"expected nine digits, got {first_nine!r}")
    total = sum(int(d) * w for d, w in zip(first_nine, range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        return 0
    if check == 10:
        return None
    return check


def problem(value: str) -> str | None:
    """Why ``value`` is not a valid NHS number, or None when it is valid."""
    if len(value) != 10:
        return f"has {len(value)} characters; an NHS number has exactly 10 digits"
    if not _ascii_digits(value):
        return "contains a character that is not a digit"
    expected = check_digit(value[:9])
    if expected is None:
        return "has check value 10, which the Modulus 11 rule never issues"
    if expected != int(value[9]):
        return f"fails the Modulus 11 check (check digit should be {expected})"
    return None


def is_valid(value: str) -> bool:
    return problem(value) is None


def check_digits(first_nine: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Vectorised check digits for an (n, 9) array of digits; -1 where the value is 10."""
    check = 11 - (first_nine @ WEIGHTS) % 11
    check = np.where(check == 11, 0, check)
    return np.where(check == 10, -1, check)


def valid_mask(numbers: npt.NDArray[np.str_]) -> npt.NDArray[np.bool_]:
    """Vectorised validity for an array of strings (any length, any characters).

    Agrees with :func:`problem` value by value. A NumPy string array cannot hold
    trailing NUL characters, so pass a list or an object array when values may carry
    them: their length is then counted exactly.
    """
    if isinstance(numbers, np.ndarray) and numbers.dtype.kind == "U":
        arr = numbers.reshape(-1)
        lengths = np.char.str_len(arr)
    else:
        values = [str(v) for v in np.asarray(numbers, dtype=object).reshape(-1)]
        lengths = np.fromiter(map(len, values), dtype=np.int64, count=len(values))
        arr = np.array(values, dtype=str) if values else np.array([], dtype="U10")
    ok = lengths == 10
    digits = np.zeros((len(arr), 10), dtype=np.int64)
    if ok.any():
        points = arr[ok].astype("U10").view(np.uint32).reshape(-1, 10).astype(np.int64)
        points -= ord("0")
        ascii_digits = ((points >= 0) & (points <= 9)).all(axis=1)
        digits[ok] = np.where(ascii_digits[:, None], points, 0)
        ok[np.flatnonzero(ok)[~ascii_digits]] = False
    checks = check_digits(digits[:, :9])
    valid: npt.NDArray[np.bool_] = ok & (checks >= 0) & (checks == digits[:, 9])
    return valid


def from_serials(serials: npt.NDArray[np.int64], prefix: int = 9) -> npt.NDArray[np.int64]:
    """Valid NHS numbers built from serial numbers, skipping those with check value 10.

    The first digit is ``prefix`` (9: the range used for synthetic and test records);
    digits 2-9 come from ``serials``. A serial whose number would have check value 10
    is replaced by the next serial above the largest requested one, so the result is
    deterministic and distinct serials give distinct numbers. Serials must lie in
    0 to 99,999,999 (eight digits), including those used as replacements.
    """
    if not 0 <= prefix <= 9:
        raise ValueError(f"prefix {prefix}: expected one digit, 0 to 9")

    def build(s: npt.NDArray[np.int64]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
        nine = prefix * 10**8 + s
        digits = (nine[:, None] // 10 ** np.arange(8, -1, -1)) % 10
        check = check_digits(digits)
        return nine * 10 + np.maximum(check, 0), check >= 0

    serials = np.asarray(serials, dtype=np.int64)
    if serials.size and (serials.min() < 0 or serials.max() >= SERIALS):
        raise ValueError(f"serials must lie in 0 to {SERIALS - 1}; got "
                         f"{int(serials.min())} to {int(serials.max())}")
    numbers, good = build(serials)
    next_serial = int(serials.max(initial=-1)) + 1
    while not good.all():
        bad = np.flatnonzero(~good)
        extra = np.arange(next_serial, min(next_serial + 2 * len(bad), SERIALS),
                          dtype=np.int64)
        if not len(extra):
            raise ValueError(f"no serials left above {int(serials.max())} to replace the "
                             f"{len(bad)} with check value 10; expected serials further "
                             f"below {SERIALS}")
        next_serial += len(extra)
        cand, cand_ok = build(extra)
        cand = cand[cand_ok][: len(bad)]
        numbers[bad[: len(cand)]] = cand
        good[bad[: len(cand)]] = True
    return numbers


def from_key(key: str, taken: set[str] | None = None) -> str:
    """A stable valid NHS number (first digit 9) derived from a source identifier.

    The same key always gives the same number; ``taken`` numbers are skipped by
    rehashing, so two keys never share one.
    """
    attempt = 0
    while True:
        digest = hashlib.sha256(f"{key}#{attempt}".encode()).digest()
        nine = f"9{int.from_bytes(digest[:8], 'big') % 10**8:08d}"
        check = check_digit(nine)
        if check is not None:
            number = f"{nine}{check}"
            if taken is None or number not in taken:
                return number
        attempt += 1
