"""The self-care configuration in use (SC-1, SC-2, SC-5): the programmes, the measures and
targets, and the directory, each from the health community's own file in its data folder
when there is one, else the packaged default.

| what | the community's file (replaces the default) | the default |
|---|---|---|
| programmes | ``<data dir>/selfcare/programmes.toml`` | ``ltc/data/selfcare/programmes.toml`` |
| measures and targets | ``<data dir>/selfcare/targets.toml`` | ``ltc/data/selfcare/targets.toml`` |
| directory | ``<data dir>/directory/directory.csv`` | ``ltc/data/directory/default.csv`` |

The condition protocols (``ltc.protocols``, with a community's own folder of them) add
their targets for clinic readings (:mod:`ltc.care.selfcare.protocol_targets`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from ltc import protocols
from ltc.care.selfcare import catalogue, targets
from ltc.care.selfcare.catalogue import Directory, Programme
from ltc.care.selfcare.config import ConfigError
from ltc.care.selfcare.protocol_targets import from_protocols
from ltc.care.selfcare.targets import Targets

#: each file a community may give, under its data folder
LOCAL = {"programmes": Path("selfcare") / "programmes.toml",
         "targets": Path("selfcare") / "targets.toml",
         "directory": Path("directory") / "directory.csv"}


@dataclass(frozen=True)
class Setup:
    programmes: dict[str, Programme]
    targets: Targets
    directory: Directory


def local_files(data_dir: Path | None) -> dict[str, Path | None]:
    """The community's own files that exist (None: the default is used)."""
    return {name: (data_dir / rel if data_dir is not None and (data_dir / rel).is_file()
                   else None) for name, rel in LOCAL.items()}


def load(data_dir: Path | None = None, protocols_dir: Path | None = None) -> Setup:
    """The configuration for the data folder ``data_dir`` (None: the defaults) and the
    condition protocols changed by ``protocols_dir``; a file that cannot be used raises
    :class:`ltc.care.selfcare.config.ConfigError`."""
    files = local_files(data_dir)
    measured = targets.load(files["targets"])
    try:
        found = protocols.load(protocols_dir)
    except protocols.ProtocolError as e:
        raise ConfigError(str(e)) from None
    return Setup(catalogue.programmes(files["programmes"]),
                 replace(measured, protocol=from_protocols(found, measured.measures)),
                 catalogue.directory(files["directory"]))
