"""The foundation commands through Flask's CLI runner: init, import, segments, stats, demo,
and serve in a real subprocess."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import tomllib
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

import tms
from tests.conftest import ROOT, SOURCE_DOCS
from tests.serving import TMS, Server, free_port, served, tms_env, wait_healthy
from tms import create_app, migrate
from tms.db import new_session
from tms.models import (
    Activity,
    Block,
    Document,
    DocumentVersion,
    Language,
    Segment,
    State,
    Translation,
    User,
)

V1 = "# Rights\n\nWe work. We rest.\n\nWe organise.\n\nWe speak.\n"
V2 = "# Rights\n\nWe work. We rest well.\n\nWe speak.\n\nWe vote.\n"


def _counts(app: Flask) -> dict[str, int]:
    with app.app_context(), new_session() as s:
        return {m.__name__: s.scalar(select(func.count()).select_from(m)) or 0
                for m in (Document, DocumentVersion, Block, Segment, Translation, Activity)}


def _write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    return path


def _json(result: Any) -> Any:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_import_txt_then_segments_and_stats(app: Flask, runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = _write(tmp_path, "rights.txt", V1)
    result = runner.invoke(args=["import", str(path), "--title", "Our rights"])
    assert result.exit_code == 0, result.output
    assert "rights" in result.output and "segments: 5" in result.output

    items = _json(runner.invoke(args=["segments", "--doc", "rights", "--json"]))
    assert [i["source"] for i in items] == ["Rights", "We work.", "We rest.", "We organise.",
                                            "We speak."]
    assert [i["position"] for i in items] == [0, 1, 2, 3, 4]
    assert [i["block_type"] for i in items] == ["heading"] + ["paragraph"] * 4
    assert items[1]["context"] == "Rights"
    text = runner.invoke(args=["segments", "--doc", "rights"])
    assert text.exit_code == 0 and "We organise." in text.output

    with app.app_context(), new_session() as s:
        s.add_all([Language(code="fr", name="French"), Language(code="de", name="German")])
        s.flush()
        fr_id = s.scalar(select(Language.id).where(Language.code == "fr"))
        seg_id = s.scalar(select(Segment.id).where(Segment.source == "We work."))
        s.add(Translation(segment_id=seg_id, language_id=fr_id, target="Nous travaillons.",
                          state=int(State.APPROVED)))
        s.commit()
    stats = _json(runner.invoke(args=["stats", "--doc", "rights", "--json"]))
    assert stats["total_segments"] == 5 and stats["total_words"] == 9
    assert [lang["language"] for lang in stats["languages"]] == ["de", "fr"]
    fr = stats["languages"][1]
    assert fr["segments"]["approved"] == 1 and fr["segments"]["untranslated"] == 4
    for lang in stats["languages"]:
        for unit in ("segments", "words"):
            counts = lang[unit]
            assert sum(v for k, v in counts.items() if k != "total") == counts["total"]
    one = _json(runner.invoke(args=["stats", "--doc", "rights", "--lang", "fr", "--json"]))
    assert one["language"] == "fr" and one["words"]["approved"] == 2
    rows = _json(runner.invoke(args=["stats", "--json"]))
    assert [(r["document"], r["language"]) for r in rows] == [("rights", "de"),
                                                              ("rights", "fr")]
    plain = runner.invoke(args=["stats"])
    assert plain.exit_code == 0 and "rights fr" in plain.output


def test_reimport_same_file_is_unchanged(app: Flask, runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = _write(tmp_path, "rights.txt", V1)
    assert runner.invoke(args=["import", str(path)]).exit_code == 0
    before = _counts(app)
    report = _json(runner.invoke(args=["import", str(path), "--json"]))
    assert report["status"] == "unchanged" and report["version"] == 1
    assert _counts(app) == before
    again = runner.invoke(args=["import", str(path)])
    assert again.exit_code == 0 and "nothing changed" in again.output


def test_updated_version_keeps_translations(app: Flask, runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert runner.invoke(args=["import", str(_write(tmp_path, "rights.txt", V1))]).exit_code == 0
    with app.app_context(), new_session() as s:
        s.add(Language(code="fr", name="French"))
        s.flush()
        fr_id = s.scalar(select(Language.id))
        for seg in s.scalars(select(Segment)):
            s.add(Translation(segment_id=seg.id, language_id=fr_id, target="FR " + seg.source,
                              state=int(State.TRANSLATED)))
        s.commit()
    new_dir = tmp_path / "v2"
    new_dir.mkdir()
    report = _json(runner.invoke(
        args=["import", str(_write(new_dir, "rights.txt", V2)), "--json"]))
    assert report["status"] == "updated" and report["version"] == 2
    assert (report["unchanged"], report["changed"], report["new"], report["removed"]) == (
        3, 1, 1, 1)
    with app.app_context(), new_session() as s:
        rows = {seg.source: (seg, t) for seg, t in s.execute(
            select(Segment, Translation).outerjoin(Translation,
                                                   Translation.segment_id == Segment.id))}
        assert rows["We rest well."][1].outdated is True
        assert rows["We rest well."][0].previous_source == "We rest."
        assert rows["We organise."][0].archived is True
        assert rows["We organise."][1].target == "FR We organise."
        assert rows["We vote."][1] is None
        for kept in ("Rights", "We work.", "We speak."):
            seg, translation = rows[kept]
            assert translation.target == "FR " + kept and not translation.outdated
            assert not seg.archived
    stats = _json(runner.invoke(args=["stats", "--doc", "rights", "--lang", "fr", "--json"]))
    assert stats["segments"]["total"] == 5 and stats["outdated"] == 1
    assert stats["segments"]["translated"] == 4 and stats["segments"]["untranslated"] == 1


def test_import_markdown(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    pytest.importorskip("tms.formats.markdown")
    path = _write(tmp_path, "Guide Book.md", "# Guide\n\nRead **this** first. Then act.\n")
    assert runner.invoke(args=["import", str(path), "--source-lang", "en"]).exit_code == 0
    items = _json(runner.invoke(args=["segments", "--doc", "guide-book", "--json"]))
    assert [i["source"] for i in items] == ["Guide", "Read <1>this</1> first.", "Then act."]


def test_import_pot_as_interface_strings(app: Flask, runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    pytest.importorskip("tms.formats.po")
    pot = ('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
           '#: tms/web/auth.py:10\nmsgid "Log in"\nmsgstr ""\n\n'
           'msgid "Save the translation"\nmsgstr ""\n')
    path = _write(tmp_path, "messages.pot", pot)
    result = runner.invoke(args=["import", str(path), "--kind", "interface", "--slug", "ui"])
    assert result.exit_code == 0, result.output
    items = _json(runner.invoke(args=["segments", "--doc", "ui", "--json"]))
    assert [i["source"] for i in items] == ["Log in", "Save the translation"]
    assert {i["block_type"] for i in items} == {"message"}
    with app.app_context(), new_session() as s:
        assert s.scalar(select(Document.kind)) == "interface"


def test_import_docx(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    pytest.importorskip("tms.formats.docx")
    import docx

    document = docx.Document()
    document.add_heading("Charter", level=1)
    para = document.add_paragraph("We are ")
    para.add_run("workers").bold = True
    para.add_run(". Rights are ours.")
    path = tmp_path / "charter.docx"
    document.save(str(path))
    result = runner.invoke(args=["import", str(path)])
    assert result.exit_code == 0, result.output
    items = _json(runner.invoke(args=["segments", "--doc", "charter", "--json"]))
    sources = [i["source"] for i in items]
    assert sources[0] == "Charter"
    assert sources[1:] == ["We are <1>workers</1>.", "Rights are ours."]


def test_import_docx_with_comments(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from tests.docx_fixtures import everything

    path = tmp_path / "commented.docx"
    path.write_bytes(everything())
    result = runner.invoke(args=["import", str(path), "--comments"])
    assert result.exit_code == 0, result.output
    assert "Warning: 1 comment was imported to be translated" in result.output
    items = _json(runner.invoke(args=["segments", "--doc", "commented", "--json"]))
    assert [i["source"] for i in items if i["block_type"] == "comment"] == [
        "Check this wording."]


@pytest.mark.parametrize(("name", "content", "fragment"), [
    ("notes.rtf", "{\\rtf1 hello}", "notes.rtf"),
    ("fake.docx", b"this is not a zip file", "fake.docx"),
    ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00", "image.txt"),
    (None, "", "does not exist"),
])
def test_bad_input_exits_with_one_sentence(app: Flask, runner, tmp_path: Path,  # type: ignore[no-untyped-def]
                                           name: str | None, content: str | bytes,
                                           fragment: str) -> None:
    assert runner.invoke(args=["import", str(_write(tmp_path, "ok.txt", V1))]).exit_code == 0
    before = _counts(app)
    path = _write(tmp_path, name, content) if name else tmp_path / "missing.docx"
    result = runner.invoke(args=["import", str(path)])
    assert result.exit_code != 0
    assert fragment in result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    error_lines = [line for line in result.output.splitlines() if line.startswith("Error")]
    assert len(error_lines) == 1
    assert _counts(app) == before


@pytest.mark.parametrize("args", [
    ["segments", "--doc", "nope"],
    ["stats", "--doc", "nope"],
    ["stats", "--lang", "xx"],
    ["import", "README.txt", "--slug", "Not A Slug"],
])
def test_unknown_names_exit_non_zero(runner, tmp_path: Path, args: list[str]) -> None:  # type: ignore[no-untyped-def]
    if args[0] == "import":
        args = ["import", str(_write(tmp_path, "README.txt", V1)), *args[2:]]
    result = runner.invoke(args=args)
    assert result.exit_code != 0
    assert result.output.startswith("Error: ") and result.output.count("\n") == 1


@pytest.fixture
def fresh_app(tmp_path: Path) -> Iterator[Flask]:
    """An app on an empty SQLite file that no fixture has created tables in."""
    app = create_app({"TESTING": True, "SECRET_KEY": "test",
                      "DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.sqlite3'}",
                      "INSTANCE_DIR": str(tmp_path / "instance")})
    yield app
    app.extensions["tms_engine"].dispose()


def test_init_creates_then_is_idempotent(fresh_app: Flask, tmp_path: Path) -> None:
    runner = fresh_app.test_cli_runner()
    first = runner.invoke(args=["init"])
    assert first.exit_code == 0, first.output
    assert (tmp_path / "instance").is_dir()
    assert migrate.current(fresh_app.extensions["tms_engine"]) == migrate.head()
    assert _counts(fresh_app)["Document"] == 0
    second = runner.invoke(args=["init"])
    assert second.exit_code == 0 and migrate.head() in second.output


def test_init_reports_an_unreachable_database(tmp_path: Path) -> None:
    app = create_app({"TESTING": True, "SECRET_KEY": "test",
                      "DATABASE_URL": f"sqlite:///{tmp_path / 'no' / 'such' / 'dir.db'}",
                      "INSTANCE_DIR": str(tmp_path / "instance")})
    result = app.test_cli_runner().invoke(args=["init"])
    app.extensions["tms_engine"].dispose()
    assert result.exit_code == 1
    assert result.output.startswith("Error: The database could not be prepared")
    assert "Traceback" not in result.output


def test_demo_prepares_everything_once(fresh_app: Flask, tmp_path: Path) -> None:
    pytest.importorskip("tms.services.accounts")
    samples = tmp_path / "samples"
    samples.mkdir()
    _write(samples, "sample-declaration.txt", V1)
    _write(samples, "sample-declaration.md", "# Declaration\n\nThe Markdown copy.\n")
    _write(samples, "sample-manifesto.txt", "Manifesto.\n\nWe demand rights.\n")
    _write(samples, "notes.odt", "ignored")
    runner = fresh_app.test_cli_runner()
    result = runner.invoke(args=["demo", "--no-serve", "--samples", str(samples)])
    assert result.exit_code == 0, result.output
    password_lines = [line for line in result.output.splitlines() if "password" in line]
    assert len(password_lines) == 1
    with fresh_app.app_context(), new_session() as s:
        docs = {d.slug: d for d in s.scalars(select(Document))}
        assert set(docs) == {"sample-declaration", "sample-manifesto"}
        assert s.scalars(select(DocumentVersion.format).where(
            DocumentVersion.document_id == docs["sample-declaration"].id)).one() in (
            "markdown", "text")
        assert set(s.scalars(select(Language.code))) == {"fr", "de", "ru", "uk", "es"}
        admin = s.scalars(select(User).where(User.is_admin.is_(True))).one()
        assert admin.pseudonym == "admin" and admin.must_change_password
    from werkzeug.security import check_password_hash

    password = password_lines[0].split("password: ")[1].split(" ")[0]
    assert check_password_hash(admin.password_hash, password)

    again = runner.invoke(args=["demo", "--no-serve", "--samples", str(samples)])
    assert again.exit_code == 0, again.output
    assert "password" not in again.output
    with fresh_app.app_context(), new_session() as s:
        assert s.scalar(select(func.count()).select_from(Document)) == 2
        assert s.scalar(select(func.count()).select_from(User)) == 1


def test_demo_with_the_project_samples(fresh_app: Flask) -> None:
    pytest.importorskip("tms.services.accounts")
    pytest.importorskip("tms.formats.docx")
    if not (SOURCE_DOCS / "sample-declaration.docx").exists():
        pytest.skip("source_docs/sample-declaration.docx is not there yet")
    result = fresh_app.test_cli_runner().invoke(
        args=["demo", "--no-serve", "--samples", str(SOURCE_DOCS)])
    assert result.exit_code == 0, result.output
    with fresh_app.app_context(), new_session() as s:
        formats = dict(s.execute(select(Document.slug, DocumentVersion.format)
                                 .join(DocumentVersion)).all())
    # the Markdown copy of the declaration is not imported as a second document
    assert formats == {"sample-declaration": "docx", "sample-manifesto": "docx"}


def test_demo_finds_the_shipped_samples_from_any_folder(fresh_app: Flask, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("tms.formats.docx")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    result = fresh_app.test_cli_runner().invoke(args=["demo", "--no-serve"])
    assert result.exit_code == 0, result.output
    assert "No new samples" not in result.output
    with fresh_app.app_context(), new_session() as s:
        assert set(s.scalars(select(Document.slug))) == {"sample-declaration",
                                                         "sample-manifesto"}


def test_the_package_samples_are_source_docs_not_a_copy() -> None:
    # one set of files in git: tms/data/samples links to the top-level folder
    packaged = ROOT / "tms" / "data" / "samples"
    assert packaged.is_symlink()
    assert packaged.resolve() == SOURCE_DOCS.resolve()
    with open(ROOT / "pyproject.toml", "rb") as fh:
        package_data = tomllib.load(fh)["tool"]["setuptools"]["package-data"]["tms"]
    assert "data/**/*" in package_data


def _without(module: str) -> list[str]:
    """The `tms` command in a Python where importing `module` fails, as if not installed."""
    return [sys.executable, "-c",
            f"import sys; sys.modules[{module!r}] = None; from tms.cli import main; main()"]


@pytest.mark.slow
@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_serve_without_gunicorn_runs_the_builtin_server(tmp_path: Path,
                                                        stop: signal.Signals) -> None:
    env = tms_env(tmp_path)
    subprocess.run([*TMS, "init"], env=env, check=True, capture_output=True, timeout=60)
    port = free_port()
    proc = subprocess.Popen([*_without("gunicorn"), "serve", "--port", str(port)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    server = Server(proc, f"http://127.0.0.1:{port}")
    try:
        # `tms serve` reads the memory before it answers: ready from the first request
        assert wait_healthy(server) == {"status": "ok", "ready": True}
        with urllib.request.urlopen(server.base + "/login", timeout=5) as resp:  # noqa: S310
            assert resp.status == 200 and b"<form" in resp.read()
    finally:
        proc.send_signal(stop)
        output, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0, output
    assert b"gunicorn is not installed" in output and b"tms[server]" in output
    assert b"Traceback" not in output
    assert b"127.0.0.1 -" not in output  # no access log, no addresses


def test_serve_without_gunicorn_refuses_several_workers(tmp_path: Path) -> None:
    result = subprocess.run([*_without("gunicorn"), "serve", "--workers", "3"],
                            env=tms_env(tmp_path), capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert result.stderr == ("Error: Several workers need gunicorn; install it with: "
                             "pip install 'tms[server]'\n")


def test_postgres_url_without_psycopg_says_what_to_install(tmp_path: Path) -> None:
    env = {**tms_env(tmp_path), "TMS_DATABASE_URL": "postgresql+psycopg://tms@127.0.0.1/tms"}
    result = subprocess.run([*_without("psycopg"), "init"], env=env, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 1
    assert result.stderr == ("Error: PostgreSQL needs the psycopg driver; install it with: "
                             "pip install 'tms[postgres]'\n")


@pytest.mark.slow
def test_serve_runs_gunicorn_with_the_app(tmp_path: Path) -> None:
    with served(tmp_path) as server:
        body = wait_healthy(server)
        assert body == {"status": "ok", "ready": True}, (
            server.proc.stdout.read() if server.proc.poll() is not None else "")
        with urllib.request.urlopen(server.base + "/readyz", timeout=5) as resp:  # noqa: S310
            assert resp.status == 200
    assert b"1 worker" in server.output
    # the log line says the memory was read before the workers forked
    assert b"Translation memory ready: 0 units indexed in" in server.output


def test_version_comes_from_pyproject() -> None:
    with open(ROOT / "pyproject.toml", "rb") as fh:
        expected = tomllib.load(fh)["project"]["version"]
    result = subprocess.run([*TMS, "--version"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"tms {expected}\n"
    assert tms.__version__ == expected


@pytest.mark.parametrize("args", [["stats"], ["segments", "--doc", "x"], ["import", "FILE"]])
def test_commands_before_init_say_so(fresh_app: Flask, tmp_path: Path, args: list[str]) -> None:
    args = [str(_write(tmp_path, "a.txt", V1)) if a == "FILE" else a for a in args]
    result = fresh_app.test_cli_runner().invoke(args=args)
    assert result.exit_code == 1
    assert result.output.startswith("Error: The database is not ready")
    assert "tms init" in result.output and result.output.count("\n") == 1
