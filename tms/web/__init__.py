"""Web layer: extensions, security headers and blueprint registration."""

from __future__ import annotations

from flask import Blueprint, Flask, Response, g, request
from flask_wtf.csrf import CSRFProtect

from tms.version import __version__

csrf = CSRFProtect()


def _blueprints() -> tuple[Blueprint, ...]:
    """Every feature module's `bp`, in registration order."""
    # Imported here, not at the top: the feature modules import `csrf` from this package.
    from tms.web import (
        admin,
        align,
        api,
        auth,
        dashboard,
        editor,
        glossary,
        health,
        memory,
        notifications,
        offline,
        publish,
        review,
    )

    modules = (auth, dashboard, editor, api, review, notifications, publish, admin, health,
               align, offline, memory, glossary)
    return tuple(module.bp for module in modules)


def init_web(app: Flask) -> None:
    """Register extensions, blueprints and the response hardening."""
    csrf.init_app(app)
    from tms.web import i18n, login

    login.init_app(app)
    i18n.init_app(app)
    for blueprint in _blueprints():
        app.register_blueprint(blueprint)
    app.before_request(_refuse_nul)
    app.after_request(_security_headers)
    app.context_processor(_template_globals)


def warm(app: Flask) -> None:
    """Load, once in the process that forks the workers, what every worker would otherwise
    load for itself on its first pages: each interface language's catalogue and CLDR name
    (the menu) and the compiled templates. Forked workers then share these pages instead of
    each holding its own copy (about 25 MB per worker with 20 catalogues)."""
    from tms.web import i18n

    i18n.preload(app)
    for name in app.jinja_env.list_templates(extensions=["html"]):
        app.jinja_env.get_template(name)


RTL_LOCALES = {"ar", "he", "fa", "ur", "yi", "ps", "sd", "ug", "dv", "ckb"}


def _template_globals() -> dict[str, object]:
    from flask_babel import get_locale

    def current_locale() -> str:
        return str(get_locale() or "en").replace("_", "-")

    def current_direction() -> str:
        base = current_locale().split("-")[0]
        return "rtl" if base in RTL_LOCALES or current_locale() == "en-XR" else "ltr"

    return {"current_locale": current_locale, "current_direction": current_direction,
            "tms_version": __version__}


def _has_nul(value: object) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def _refuse_nul() -> None:
    """A NUL character in any field is refused as a bad request: PostgreSQL cannot store or
    even compare it, so it would otherwise end as a 500 (or differ between databases)."""
    from flask import abort

    values: list[object] = [dict(request.args.lists()), dict(request.form.lists()),
                            [f.filename or "" for f in request.files.values()]]
    if request.is_json:
        values.append(request.get_json(silent=True))
    if _has_nul(values):
        abort(400)


def _security_headers(resp: Response) -> Response:
    """Strict CSP and friends on every response: nothing may load from another origin."""
    nonce = g.get("csp_nonce")
    script_src = "'self'" + (f" 'nonce-{nonce}'" if nonce else "")
    resp.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; "
        f"script-src {script_src}; "
        "style-src 'self'; img-src 'self' data:; font-src 'self'; "
        "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
        "base-uri 'none'; object-src 'none'",
    )
    resp.headers.setdefault("X-Content-Type-Options", "nosniff")
    resp.headers.setdefault("X-Frame-Options", "DENY")
    resp.headers.setdefault("Referrer-Policy", "no-referrer")
    resp.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    resp.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if request.is_secure:
        resp.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return resp
