"""Settings read from the environment, with safe defaults for a laptop."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def _instance_dir() -> Path:
    return Path(os.environ.get("TMS_INSTANCE_DIR", Path.cwd() / "instance"))


def _secret_key(instance: Path) -> str:
    """Return TMS_SECRET_KEY, or a random key kept in instance/ so sessions survive restarts.

    A missing instance folder is not created here: every command loads the config, and one
    run outside the project folder must not leave an instance behind (`tms init` creates it;
    until then the key lives for one process)."""
    key = os.environ.get("TMS_SECRET_KEY")
    if key:
        return key
    path = instance / "secret_key"
    if path.exists():
        return path.read_text().strip()
    if not instance.is_dir():
        return secrets.token_urlsafe(48)
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key


def load_config() -> dict[str, object]:
    """Build the Flask config mapping from TMS_* environment variables."""
    instance = _instance_dir()
    db_url = os.environ.get("TMS_DATABASE_URL") or f"sqlite:///{instance / 'tms.sqlite3'}"
    return {
        "INSTANCE_DIR": str(instance),
        "SECRET_KEY": _secret_key(instance),
        "DATABASE_URL": db_url,
        "EXPORTS_DIR": os.environ.get("TMS_EXPORTS_DIR", str(Path.cwd() / "exports")),
        # 25 MB covers a long DOCX with pictures; larger uploads are refused unread.
        "MAX_CONTENT_LENGTH": int(os.environ.get("TMS_MAX_UPLOAD", 25 * 1024 * 1024)),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": os.environ.get("TMS_HTTPS", "") == "1",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": os.environ.get("TMS_HTTPS", "") == "1",
        "WTF_CSRF_TIME_LIMIT": None,
        "BABEL_DEFAULT_LOCALE": "en",
        "TEAM_NAME": os.environ.get("TMS_TEAM_NAME", "tms translation team"),
        # Behind a reverse proxy: how many proxies' X-Forwarded-* headers to trust (0: none).
        "PROXY_FIX": int(os.environ.get("TMS_PROXY_FIX", "0") or 0),
    }
