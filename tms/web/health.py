"""Health endpoints for load balancers and uptime checks (no data, no login).

/healthz is liveness: the database answers. /readyz is readiness: this worker has read the
translation memory into its index, so no volunteer's first lookup waits for the build. A
worker started some other way than `tms serve` (which warms before serving) begins warming
in the background the first time a proxy asks.
"""

from __future__ import annotations

import threading

from flask import Blueprint, Flask, current_app, jsonify
from werkzeug.wrappers import Response

from tms.db import get_session, new_session
from tms.queries.health import database_answers
from tms.services import memory

bp = Blueprint("health", __name__)
_warming = threading.Lock()


@bp.get("/healthz")
def healthz() -> Response | tuple[Response, int]:
    """200 with {"status": "ok", "ready": ...} when the database answers, 503 otherwise."""
    session = get_session()
    if not database_answers(session):
        return jsonify(status="unavailable", ready=False), 503
    return jsonify(status="ok", ready=memory.is_warm(session))


@bp.get("/readyz")
def readyz() -> Response | tuple[Response, int]:
    """200 once this worker's memory index is built; 503 (and the build started) before."""
    session = get_session()
    if not database_answers(session):
        return jsonify(status="unavailable"), 503
    if memory.is_warm(session):
        return jsonify(status="ready")
    if _warming.acquire(blocking=False):
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        threading.Thread(target=_warm, args=(app,), name="tms-warm", daemon=True).start()
    return jsonify(status="warming"), 503


def _warm(app: Flask) -> None:
    """Build the index in the background; a failure leaves the worker not ready, to retry."""
    try:
        with app.app_context(), new_session() as session:
            memory.warm(session)
    finally:
        _warming.release()
