"""The deployment files in docs/deploy/: what docs/deploy.md shows is what the files say,
and the units run what the CLI offers."""

from __future__ import annotations

import configparser

import pytest

from tests.conftest import ROOT

DEPLOY = ROOT / "docs" / "deploy"


def _indented(text: str) -> str:
    return "\n".join(("    " + line) if line else "" for line in text.rstrip("\n").split("\n"))


@pytest.mark.parametrize("name", ["tms.service", "tms.env.example"])
def test_deploy_md_shows_the_files_as_they_are(name: str) -> None:
    shown = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
    assert _indented((DEPLOY / name).read_text(encoding="utf-8")) in shown


def test_every_deploy_file_is_named_in_deploy_md() -> None:
    shown = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
    for path in DEPLOY.iterdir():
        assert f"(deploy/{path.name})" in shown, path.name


def test_the_units_share_one_environment_file_and_state_directory() -> None:
    env_keys = {line.split("=", 1)[0]
                for line in (DEPLOY / "tms.env.example").read_text().splitlines()
                if line and not line.startswith("#")}
    assert {"TMS_DATABASE_URL", "TMS_SECRET_KEY", "TMS_INSTANCE_DIR"} <= env_keys
    for name in ("tms.service", "tms-backup.service"):
        unit = configparser.ConfigParser(strict=False, interpolation=None)
        unit.read(DEPLOY / name)
        service = unit["Service"]
        assert service["EnvironmentFile"] == "/etc/tms/tms.env"
        assert service["StateDirectory"] == "tms"
        assert service["ExecStart"].startswith("/opt/tms/venv/bin/tms ")
    timer = configparser.ConfigParser(interpolation=None)
    timer.read(DEPLOY / "tms-backup.timer")
    assert timer["Timer"]["OnCalendar"]
