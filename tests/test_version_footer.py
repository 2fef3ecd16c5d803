"""The page footer shows the version from pyproject.toml, in the reader's language."""

from __future__ import annotations

import tomllib

import pytest
from flask.testing import FlaskClient

from tests.conftest import ROOT


def _pyproject_version() -> str:
    with open(ROOT / "pyproject.toml", "rb") as fh:
        return str(tomllib.load(fh)["project"]["version"])


@pytest.mark.parametrize(("locale", "words"), [
    ("en", "tms, version"), ("de", "tms, Version"), ("ru", "tms, версия")])
def test_footer_shows_the_pyproject_version(client: FlaskClient, locale: str,
                                            words: str) -> None:
    html = client.get("/login", headers={"Accept-Language": locale}).get_data(as_text=True)
    footer = html.split('<footer class="foot">', 1)[1].split("</footer>", 1)[0]
    assert footer == f"<p>{words} {_pyproject_version()}</p>"
