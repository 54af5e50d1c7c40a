"""Reading the self-care configuration files (SC-1, SC-2, SC-5): checks shared by the
programmes list and the targets (TOML) and the directory of resources (CSV), each error
naming the file, the entry and key (or line and column) and what was expected.

The packaged defaults are in ``ltc/data/selfcare/`` and ``ltc/data/directory/``; a health
community's own files in its data folder replace them (``docs/selfcare.md``).
"""

from __future__ import annotations

import re
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

NAME = re.compile(r"^[a-z][a-z0-9_]*$")


class ConfigError(ValueError):
    """A self-care configuration file that cannot be used: the message names the file,
    where in it, and what was expected."""


def source_text(folder: str, name: str, local: Path | None = None) -> tuple[str, str]:
    """The text of ``local`` when given, else of the packaged default
    ``ltc/data/<folder>/<name>``, and how errors name the file."""
    if local is None:
        return (resources.files("ltc") / "data" / folder / name).read_text(
            encoding="utf-8"), f"ltc/data/{folder}/{name}"
    try:
        return local.read_text(encoding="utf-8"), str(local)
    except OSError as e:
        raise ConfigError(f"{local}: cannot be read ({e.strerror})") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{local}: is not UTF-8 text") from None


def toml(text: str, where: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{where}: not valid TOML: {e}") from None


class Entry:
    """The checks of one table of a TOML file, naming the file and the entry in every
    error (e.g. ``targets.toml: targets[3].at_most``)."""

    def __init__(self, where: str, entry: str, data: object, allowed: set[str]) -> None:
        self.where, self.entry = where, entry
        if not isinstance(data, dict):
            raise self.fail("", "a table of settings", data)
        self.data: dict[str, Any] = data
        for key in data:
            if key not in allowed:
                raise ConfigError(f"{where}: {entry}.{key}: not a setting; expected one of "
                                  f"{', '.join(sorted(allowed))}")

    def fail(self, key: str, expected: str, got: object) -> ConfigError:
        at = f"{self.entry}.{key}" if key else self.entry
        return ConfigError(f"{self.where}: {at}: expected {expected}, got {got!r}")

    def text(self, key: str, *, required: bool = True, default: str = "") -> str:
        value = self.data.get(key, None if required else default)
        if not isinstance(value, str) or (required and not value.strip()):
            raise self.fail(key, "a non-empty text", value)
        return value.strip()

    def name(self, key: str) -> str:
        value = self.data.get(key)
        if not isinstance(value, str) or not NAME.match(value):
            raise self.fail(key, "a name of lower-case letters, digits and _", value)
        return value

    def names(self, key: str, allowed: set[str] | None = None) -> frozenset[str] | None:
        """A list of names (None when the key is not given), each one of ``allowed``."""
        if key not in self.data:
            return None
        value = self.data[key]
        if not isinstance(value, list) or not value or not all(
                isinstance(v, str) and NAME.match(v) for v in value):
            raise self.fail(key, "a list of names", value)
        if allowed is not None:
            for v in value:
                if v not in allowed:
                    raise self.fail(key, f"names from {', '.join(sorted(allowed))}", v)
        return frozenset(value)

    def whole(self, key: str, *, low: int, required: bool = True) -> int | None:
        value = self.data.get(key)
        if value is None and not required:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise self.fail(key, f"a whole number of {low} or more", value)
        return value

    def numbers(self, key: str, count: int) -> tuple[float | None, ...] | None:
        """One number per component (None when the key is not given)."""
        if key not in self.data:
            return None
        value = self.data[key]
        if not isinstance(value, list) or len(value) != count or not all(
                isinstance(v, int | float) and not isinstance(v, bool) for v in value):
            raise self.fail(key, f"a list of {count} number{'s' if count > 1 else ''} (one "
                                 "per component)", value)
        return tuple(float(v) for v in value)
