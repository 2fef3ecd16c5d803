"""Health endpoint for load balancers and uptime checks (no data, no login)."""

from __future__ import annotations

from flask import Blueprint, jsonify
from sqlalchemy import text

from tms.db import get_session

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():  # type: ignore[no-untyped-def]
    """200 with {"status": "ok"} when the database answers, 503 otherwise."""
    try:
        get_session().execute(text("SELECT 1"))
    except Exception:  # any database failure means "not healthy"
        return jsonify(status="unavailable"), 503
    return jsonify(status="ok")
