"""The version of tms: pyproject.toml is its one source, read from the installed metadata."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("tms")
except PackageNotFoundError:  # a bare source tree: say plainly that the version is unknown
    __version__ = "0+unknown"
