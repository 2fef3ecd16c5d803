"""Health endpoint for load balancers and uptime checks (no data, no login)."""

from __future__ import annotations

from flask import Blueprint, jsonify
from werkzeug.wrappers import Response

from tms.db import get_session
from tms.queries.health import database_answers

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> Response | tuple[Response, int]:
    """200 with {"status": "ok"} when the database answers, 503 otherwise."""
    if not database_answers(get_session()):
        return jsonify(status="unavailable"), 503
    return jsonify(status="ok")
