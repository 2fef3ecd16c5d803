"""XML attacks in every XML-bearing upload (DOCX parts, XLIFF, TMX, TBX, HTML): entity
expansion (billion laughs) and external entities pointing at a local file or a local port.
They are refused with one sentence; nothing is read from disk or fetched from the network."""

from __future__ import annotations

import io
import socket
import threading
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.conftest import SOURCE_DOCS
from tests.factories import login, make_document, make_language, make_user
from tms.formats import docx, glossary_files, html, tmx, xliff
from tms.formats.base import FormatError
from tms.models import Document, State, Translation
from tms.services import offline

SECRET = "tms-secret-marker-8c1f"


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    """A local file whose content must never come back."""
    path = tmp_path / "secret.txt"
    path.write_text(SECRET)
    return path


@pytest.fixture
def listener() -> Iterator[tuple[int, list[bytes]]]:
    """A local TCP port that records every connection made to it."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    server.settimeout(0.2)
    seen: list[bytes] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _addr = server.accept()
            except OSError:
                continue
            seen.append(conn.recv(1024))
            conn.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1], seen
    stop.set()
    thread.join()
    server.close()


def doctypes(root: str, secret: Path, port: int) -> dict[str, tuple[str, bool]]:
    """Attack name -> (DOCTYPE text, whether it declares entities)."""
    laughs = ['<!ENTITY lol "lol">'] + [
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10)]
    return {
        "billion_laughs": (f"<!DOCTYPE {root} [{''.join(laughs)}]>", True),
        "file_entity": (f'<!DOCTYPE {root} [<!ENTITY xxe SYSTEM "file://{secret}">]>', True),
        "passwd_entity": (f'<!DOCTYPE {root} [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
                          True),
        "http_entity": (f'<!DOCTYPE {root} [<!ENTITY xxe SYSTEM '
                        f'"http://127.0.0.1:{port}/x">]>', True),
        "parameter_entity": (f'<!DOCTYPE {root} [<!ENTITY % p SYSTEM '
                             f'"http://127.0.0.1:{port}/p.dtd"> %p;]>', True),
        "external_dtd": (f'<!DOCTYPE {root} SYSTEM "http://127.0.0.1:{port}/x.dtd">', False),
    }


def _ref(attack: str) -> str:
    return {"billion_laughs": "&lol9;", "file_entity": "&xxe;", "passwd_entity": "&xxe;",
            "http_entity": "&xxe;"}.get(attack, "Hello")


def xliff_doc(doctype: str, ref: str) -> bytes:
    """A small XLIFF 1.2 file with a DOCTYPE and an entity reference in a target."""
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n{doctype}\n'
            '<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">'
            '<file original="x" source-language="en" target-language="fr" datatype="plaintext">'
            f'<body><trans-unit id="k-0"><source>Hello</source><target>{ref}</target>'
            '</trans-unit></body></file></xliff>').encode()


def tmx_doc(doctype: str, ref: str) -> bytes:
    """A small TMX 1.4 file."""
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n{doctype}\n<tmx version="1.4">'
            '<header srclang="en" datatype="plaintext" segtype="sentence" adminlang="en" '
            'o-tmf="x" creationtool="t" creationtoolversion="1"/><body><tu>'
            '<tuv xml:lang="en"><seg>Hello</seg></tuv>'
            f'<tuv xml:lang="fr"><seg>{ref}</seg></tuv></tu></body></tmx>').encode()


def tbx_doc(doctype: str, ref: str) -> bytes:
    """A small TBX (martif) glossary."""
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n{doctype}\n'
            '<martif type="TBX" xml:lang="en"><text><body><termEntry>'
            f'<langSet xml:lang="en"><tig><term>{ref}</term></tig></langSet>'
            '<langSet xml:lang="fr"><tig><term>bonjour</term></tig></langSet>'
            '</termEntry></body></text></martif>').encode()


def html_doc(doctype: str, ref: str) -> bytes:
    """A small HTML page."""
    return f"{doctype}\n<html><body><p>{ref} world.</p></body></html>".encode()


def docx_doc(doctype: str, ref: str, part: str = "word/document.xml") -> bytes:
    """The sample DOCX with the DOCTYPE put into one part and a reference in its text."""
    src = (SOURCE_DOCS / "sample-declaration.docx").read_bytes()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(src)) as zin, zipfile.ZipFile(out, "w",
                                                                   zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == part:
                text = data.decode("utf-8")
                decl_end = text.index("?>") + 2 if text.startswith("<?xml") else 0
                text = text[:decl_end] + doctype + text[decl_end:]
                text = text.replace("</w:t>", ref + "</w:t>", 1)
                data = text.encode("utf-8")
            zout.writestr(info, data)
    return out.getvalue()


READERS: dict[str, tuple[str, Callable[[str, str], bytes], Callable[[bytes], Any]]] = {
    "xliff": ("xliff", xliff_doc, lambda d: xliff.read_units(d, filename="a.xlf")),
    "tmx": ("tmx", tmx_doc, lambda d: tmx.read(d, filename="a.tmx")),
    "tbx": ("martif", tbx_doc, lambda d: glossary_files.read(d, filename="a.tbx")),
    "html": ("html", html_doc, lambda d: html.read(d, filename="a.html")),
    "docx": ("w:document", docx_doc, lambda d: docx.read(d, filename="a.docx")),
    "docx_styles": ("w:styles", lambda dt, ref: docx_doc(dt, "", "word/styles.xml"),
                    lambda d: docx.read(d, filename="a.docx")),
}
ATTACKS = ["billion_laughs", "file_entity", "passwd_entity", "http_entity", "parameter_entity",
           "external_dtd"]


@pytest.mark.parametrize("attack", ATTACKS)
@pytest.mark.parametrize("fmt", sorted(READERS))
def test_xml_attacks_are_refused_and_read_nothing(fmt: str, attack: str, secret_file: Path,
                                                  listener: tuple[int, list[bytes]]) -> None:
    port, seen = listener
    root, build, read = READERS[fmt]
    doctype, declares = doctypes(root, secret_file, port)[attack]
    data = build(doctype, _ref(attack))
    try:
        result = read(data)
    except FormatError as exc:
        assert exc.message and SECRET not in exc.message and "root:" not in exc.message
        if declares:
            assert "entit" in exc.message.lower() or "DTD" in exc.message, exc.message
    else:
        # only a DTD reference without entity declarations may pass: it is never loaded
        assert not declares, f"{fmt}/{attack} was accepted"
        text = repr(result)
        assert SECRET not in text and "root:x:0" not in text and "lollol" not in text
    assert seen == [], f"{fmt}/{attack} made a network connection"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le"])
def test_entities_in_utf16_xml_are_refused_too(encoding: str, secret_file: Path) -> None:
    # the byte-level pre-check looks for ASCII "<!ENTITY": UTF-16 must not slip past
    doctype = f'<!DOCTYPE xliff [<!ENTITY xxe SYSTEM "file://{secret_file}">]>'
    text = xliff_doc(doctype, "&xxe;").decode().replace('encoding="UTF-8"',
                                                          f'encoding="{encoding.upper()}"')
    data = text.encode(encoding)
    if encoding == "utf-16-le":
        data = b"\xff\xfe" + data
    with pytest.raises(FormatError) as info:
        xliff.read_units(data, filename="a.xlf")
    assert SECRET not in info.value.message


def test_upload_of_an_entity_docx_is_refused_in_one_sentence(app: Flask, session: Session,
                                                              secret_file: Path) -> None:
    make_user(session, "boss", is_admin=True)
    session.commit()
    client = app.test_client()
    login(client, "boss")
    data = docx_doc(f'<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file://{secret_file}">]>',
                    "&xxe;")
    resp = client.post("/admin/documents", data={"file": (io.BytesIO(data), "evil.docx")},
                       content_type="multipart/form-data")
    body = resp.get_data(as_text=True)
    assert resp.status_code == 400
    assert "evil.docx" in body and "entities" in body
    assert SECRET not in body and "Traceback" not in body
    assert session.scalar(select(func.count()).select_from(Document)) == 0


def test_offline_xliff_with_entities_is_refused(app: Flask, session: Session,
                                                secret_file: Path) -> None:
    fr = make_language(session, "fr")
    ana = make_user(session, "ana", roles={"fr": "translator"})
    doc = make_document(session)
    data = xliff_doc(f'<!DOCTYPE xliff [<!ENTITY xxe SYSTEM "file://{secret_file}">]>', "&xxe;")
    with pytest.raises(offline.OfflineError) as info:
        offline.apply_upload(session, document=doc, language=fr, user=ana, filename="fr.xlf",
                             data=data, state=State.TRANSLATED)
    assert "fr.xlf" in info.value.message and SECRET not in info.value.message
    assert session.scalar(select(func.count()).select_from(Translation)) == 0
