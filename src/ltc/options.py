"""Command-line options shared by every ``ltc`` command group (ARCHITECTURE: interfaces; no
capability of its own)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

DataDir = Annotated[Path | None, typer.Option(
    "--data-dir", help="Data folder (default: $LTC_DATA_DIR or ./data).")]
