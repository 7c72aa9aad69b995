"""Security headers (Flask-Talisman): a Content-Security-Policy with a fresh nonce per request,
no framing, nosniff, a Referrer-Policy and, over HTTPS, HSTS. Also the reverse proxy, when configured."""
from __future__ import annotations

from flask import Flask, request
from werkzeug.middleware.proxy_fix import ProxyFix

from extensions import talisman

CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",  # + this response's nonce
    "style-src-elem": "'self'",  # + this response's nonce
    "style-src-attr": "'unsafe-inline'",  # style="" attributes (no code runs from them)
    "img-src": "'self' data:",
    "font-src": "'self' data:",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def csp_nonce() -> str:
    """This response's CSP nonce (what Flask-Admin puts in its `nonce` attributes)."""
    return getattr(request, "csp_nonce", "")


def register_security_headers(app: Flask) -> None:
    """Talisman's headers on every response; ProxyFix only when PROXY_FIX_HOPS says there is a proxy."""
    hops = app.config["PROXY_FIX_HOPS"]
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    talisman.init_app(
        app,
        force_https=app.config["FORCE_HTTPS"],
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        content_security_policy=CONTENT_SECURITY_POLICY,
        content_security_policy_nonce_in=["script-src", "style-src-elem"],
        frame_options="DENY",
        referrer_policy="same-origin",
        strict_transport_security=True,
        strict_transport_security_include_subdomains=False,
    )
