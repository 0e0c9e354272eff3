"""Credentials stay secret: never on the command line, never printed, never echoed back from a server.

A URL such as ``http://bob:secret@host/`` carries a password; kgpub takes it as
the credentials and shows the URL without it.  A server that echoes a request
in its error body (some proxies do) would print the ``Authorization`` header:
every text shown from a server goes through :func:`redact` first.
"""

from __future__ import annotations

import base64
import re
import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass

#: The ``user:password@`` part of any URL in a text: up to the authority's last ``@``, as urlsplit reads it.
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^\s/?#]*@")
_AUTH_HEADER = re.compile(r"(?i)\b(authorization|proxy-authorization)(\s*[:=]\s*)(\S+(?:\s+[A-Za-z0-9+/=._~-]+)?)")


def safe_url(text: str) -> str:
    """``text`` with the ``user:password@`` part of every URL in it removed: the one redaction every URL
    kgpub shows goes through (a message, a dry-run plan, a table), whether or not the URL is valid."""
    return _USERINFO.sub(r"\1", text)


def split_credentials(url: str) -> tuple[str, str | None, str | None]:
    """``url`` without its ``user:password@`` part, and that user and password (decoded), if any."""
    safe = safe_url(url)
    if safe == url:
        return url, None, None
    parts = urllib.parse.urlsplit(url)
    user = urllib.parse.unquote(parts.username) if parts.username is not None else None
    password = urllib.parse.unquote(parts.password) if parts.password is not None else None
    return safe, user, password


def redact(text: str, user: str | None = None, password: str | None = None) -> str:
    """``text`` with any Authorization header's value, the password, and its basic-auth token masked."""
    text = _AUTH_HEADER.sub(lambda m: f"{m.group(1)}{m.group(2)}***", text)
    if password:
        token = base64.b64encode(f"{user or ''}:{password}".encode()).decode()
        text = text.replace(token, "***").replace(password, "***")
    return text


def check_url(url: str) -> str | None:
    """Why ``url`` is not an http(s) URL kgpub can send a request to, or None."""
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port  # raises on a port out of range
    except ValueError as exc:
        return f"not a valid URL ({exc})"
    if parts.scheme not in ("http", "https"):
        return "not an http(s) URL" + (f" (scheme {parts.scheme!r})" if parts.scheme else "")
    if not parts.hostname:
        return "has no host"
    if port == 0:
        return "has port 0"
    return None


def netrc_password(url: str, user: str) -> str | None:
    """The password ``~/.netrc`` gives ``user`` on ``url``'s host, if it names that login there."""
    import netrc

    host = urllib.parse.urlsplit(url).hostname
    try:
        found = netrc.netrc().authenticators(host) if host else None
    except (OSError, netrc.NetrcParseError):
        return None
    if found and found[0] == user:
        return found[2]
    return None


@dataclass(frozen=True)
class Credentials:
    """Who a command's requests go as (:class:`kgpub.http.Client` applies them), resolved once for all its URLs."""

    user: str | None = None
    password: str | None = None


def credentials(urls: Sequence[str | None], user: str | None = None,
                password: str | None = None) -> tuple[list[str | None], Credentials]:
    """``urls`` as they are shown (without ``user:password@``), and the credentials to send to them.

    ``user`` and ``password`` as given (the command's ``--user`` and ``KGPUB_PASSWORD``); without a user, the
    first URL that carries one gives its user, and its password if it has one.  A user still without a
    password gets the one ``~/.netrc`` names for that user on the first URL's host.
    """
    shown: list[str | None] = []
    for url in urls:
        if url is None:
            shown.append(None)
            continue
        safe, url_user, url_password = split_credentials(url)
        if url_user is not None and user is None:
            user, password = url_user, url_password if url_password is not None else password
        shown.append(safe)
    first = next((url for url in shown if url is not None), None)
    if user is not None and password is None and first is not None:
        password = netrc_password(first, user)
    return shown, Credentials(user, password)
