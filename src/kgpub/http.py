"""The one place kgpub builds HTTP requests to stores and endpoints.

Every request to a triple store goes through a :class:`Client`: one ``requests``
Session, whose retries are urllib3's :class:`~urllib3.util.Retry` (a refused
connection and a 5xx answer are tried again, up to :data:`ATTEMPTS` attempts in
all, with exponential backoff; a request the store took and then went quiet on
is not), a deadline for the complete answer of each attempt (a server that
trickles a byte a second would pass any per-read timeout), the user's
credentials applied (basic auth, or digest for Virtuoso), and every failure one
line that names the URL without its ``user:password@`` and shows the server's
answer with any credentials it echoes masked (:mod:`kgpub.secrets`).

Stores and endpoints need the same care, so they share it here rather than
each carrying its own loop; what a failure is called (a :class:`StoreError` for
a load) stays the caller's choice through :meth:`Client.check`'s wording.
"""

from __future__ import annotations

import base64
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from urllib3.util.retry import Retry

from kgpub.errors import EndpointError, StoreError
from kgpub.secrets import redact, safe_url

#: Attempts in all for one request: the first and three retries.
ATTEMPTS = 4
#: Seconds before the first retry; each further retry waits twice as long as the one before.
BACKOFF = 0.5


class _Policy(Retry):
    """urllib3's Retry, with kgpub's policy: every method, every 5xx, ``Retry-After`` not obeyed (the backoff
    is ours), and two changes urllib3 has no setting for.

    A request the store took and then went quiet on (no answer within the wait, or it stopped reading the
    body) is not sent again, though urllib3 counts it a read error like a connection closed before the
    answer (which is sent again): the store is busy or stuck, and sending it again would only wait again.

    The backoff doubles from the first retry (``backoff``, twice that, four times that), where urllib3
    retries the first time at once.  And each retry notes when it starts, for the deadline of its answer.
    """

    #: Where the thread that sends a request notes when its current attempt started (see :class:`Client`).
    attempt: threading.local | None = None

    def new(self, **kw: Any) -> _Policy:
        retry = super().new(**kw)
        retry.attempt = self.attempt
        return retry

    def increment(self, method: str | None = None, url: str | None = None, response: Any = None,
                  error: Exception | None = None, _pool: Any = None, _stacktrace: Any = None) -> _Policy:
        if error is not None and _went_quiet(error):
            raise error.with_traceback(_stacktrace)
        return super().increment(method, url, response, error, _pool, _stacktrace)

    def get_backoff_time(self) -> float:
        errors = len(self.history)
        return 0.0 if errors == 0 else min(self.backoff_max, self.backoff_factor * 2 ** (errors - 1))

    def sleep(self, response: Any = None) -> None:
        super().sleep(response)
        if self.attempt is not None:
            self.attempt.started = time.monotonic()


def _no_auth(request: Any) -> Any:
    """A request sent as it is, without credentials."""
    return request


def _went_quiet(error: BaseException) -> bool:
    """Whether urllib3's ``error`` means the store took the request and then went quiet: no answer within the
    read timeout, or a send that timed out (urllib3 sends a body under the connect timeout, and reports a
    timeout there as a broken connection caused by a :class:`TimeoutError`)."""
    from urllib3.exceptions import ProtocolError, ReadTimeoutError

    if isinstance(error, ReadTimeoutError):
        return True
    return isinstance(error, ProtocolError) and len(error.args) > 1 and isinstance(error.args[1], TimeoutError)


@dataclass
class Client:
    """HTTP with timeouts, bounded retries with exponential backoff, and credentials never echoed.

    ``timeout`` is how long one attempt may take in all, from the connection to the last byte of the answer;
    a request may add an ``allowance`` for a large body.  ``attempts`` (counting the first) and ``backoff``
    are the retry policy of :class:`_Policy`.
    """

    user: str | None = None
    password: str | None = None
    digest: bool = False
    verify: bool = True
    timeout: float = 30.0
    backoff: float = BACKOFF
    attempts: int = ATTEMPTS
    #: Whether, without a user, requests may send the login ``~/.netrc`` names for the host (stores have
    #: always had that; endpoint queries never did, and take ``~/.netrc`` only for ``--user``).
    netrc_without_user: bool = True
    session: Any = field(default=None, repr=False)

    def __post_init__(self) -> None:
        import requests
        from requests.adapters import HTTPAdapter

        self._attempt = threading.local()
        policy = _Policy(total=self.attempts - 1, connect=None, read=None, status=None, other=None, redirect=False,
                         allowed_methods=None, status_forcelist=range(500, 600), backoff_factor=self.backoff,
                         respect_retry_after_header=False, raise_on_status=False)
        policy.attempt = self._attempt
        self.session = requests.Session()
        for scheme in ("http://", "https://"):
            self.session.mount(scheme, HTTPAdapter(max_retries=policy))
        self.session.verify = self.verify
        if self.user:
            from requests.auth import HTTPBasicAuth, HTTPDigestAuth

            auth = HTTPDigestAuth if self.digest else HTTPBasicAuth
            self.session.auth = auth(self.user, self.password or "")
        elif not self.netrc_without_user:
            self.session.auth = _no_auth  # requests reads ~/.netrc only when a session has no auth of its own

    def _answered(self, method: str, url: str, allowance: float, **kwargs: Any) -> Any:
        """The answer to ``method url`` with its body read by the deadline: requests' exceptions (after the
        retries) or :class:`TimeoutError` (the deadline) for a request that got none."""
        wait = self.timeout + allowance
        connect = wait if kwargs.get("data") is not None else min(self.timeout, 10.0)
        self._attempt.started = time.monotonic()
        response = self.session.request(method, url, timeout=(connect, wait), stream=True,
                                        allow_redirects=False, **kwargs)
        if not response._content_consumed:  # a redirect's body requests has read already, to look past it
            response._content = _deadline_read(response, self._attempt.started + wait)
        return response

    def request(self, method: str, url: str, *, allowance: float = 0.0, **kwargs: Any) -> Any:
        """``method url`` to a store, its answer read in full: any answer below 500 is returned for the caller
        to judge (:func:`check`); a refused connection or a 5xx answer is tried again (urllib3, :class:`_Policy`),
        not once the store has taken the request and gone quiet: sending it again would only wait again.
        Any other failure is a :class:`StoreError`.

        urllib3 sends a request's body under the connect timeout, so a request with a body gets the whole
        wait there too: a store that pauses reading a large body while it digests the start is not dead.
        """
        import requests

        wait = self.timeout + allowance
        try:
            response = self._answered(method, url, allowance, **kwargs)
        except (requests.Timeout, requests.ConnectionError, TimeoutError) as exc:
            quiet, what = _failure(exc, wait)
            raise StoreError(f"{safe_url(url)}: {what}" + ("" if quiet else f" (after {self.attempts} attempts)")
                             ) from None
        except requests.RequestException as exc:  # closed mid-body, a bad URL, ...
            raise StoreError(f"{safe_url(url)}: {type(exc).__name__}: {excerpt(str(exc), 160)}") from None
        if response.status_code >= 500:  # every 5xx is tried again: this one is the last attempt's
            raise StoreError(f"{safe_url(url)}: HTTP {response.status_code} {response.reason}: {shown(response)} "
                             f"(after {self.attempts} attempts)")
        return response

    def query(self, endpoint: str, fields: list[tuple[str, str]], accept: str) -> tuple[bytes, str]:
        """A SPARQL protocol query sent to ``endpoint`` as a form POST of ``fields`` (Virtuoso hangs on
        ``application/sparql-query`` bodies): the answer's body and content type.  Anything but a 2xx answer
        is an :class:`EndpointError` of one line, the server's answer in it with the credentials masked.
        Redirects are not followed: the credentials go to the endpoint the user named, nowhere else."""
        import requests

        try:
            response = self._answered("POST", endpoint, 0.0, data=fields, headers={"Accept": accept})
        except (requests.ReadTimeout, TimeoutError):
            raise EndpointError(f"{endpoint}: no complete answer within {self.timeout:g} s") from None
        except requests.ConnectTimeout:
            raise EndpointError(f"{endpoint}: cannot reach the endpoint: timed out") from None
        except requests.RequestException as exc:
            raise EndpointError(f"{endpoint}: {_unreachable(exc)}") from None
        status = response.status_code
        if status == 401:
            raise EndpointError(f"{endpoint}: HTTP 401 Unauthorized: check --user and KGPUB_PASSWORD")
        if status >= 300:
            text = excerpt(redact(response.content.decode("utf-8", "replace"), self.user, self.password), 300)
            if status in _NAMED:
                name, kind = _NAMED[status]
                raise EndpointError(f"{endpoint}: HTTP {name}: {text or kind}")
            raise EndpointError(f"{endpoint}: HTTP {status} {response.reason}: {text}")
        return response.content, response.headers.get("Content-Type", "")


#: How an endpoint's failures have always been worded, by status: the status line, and the name of the
#: failure where the server said nothing more (as SPARQLWrapper, which sent these queries before, named them).
_NAMED = {400: ("400 Bad Request", "QueryBadFormed"), 404: ("404 Not Found", "EndPointNotFound"),
          414: ("414 URI Too Long", "URITooLong"), 500: ("500 Internal Server Error", "EndPointInternalError")}


def _unreachable(exc: BaseException) -> str:
    """What happened to a query that got no answer from its endpoint: a connection that could not be made
    (with the system's reason: ``[Errno 111] Connection refused``), or one that broke."""
    import requests
    import urllib3

    inner = exc.args[0] if exc.args else None
    if isinstance(inner, urllib3.exceptions.MaxRetryError):
        inner = inner.reason
    if isinstance(inner, urllib3.exceptions.ProtocolError):  # connected, then the connection broke
        cause = inner.args[1] if len(inner.args) > 1 else inner
        if isinstance(cause, TimeoutError):  # the request's body was not taken in time
            return "cannot reach the endpoint: timed out"
        return f"connection failed: {cause}"
    if isinstance(inner, urllib3.exceptions.NewConnectionError):  # refused, no such host
        return f"cannot reach the endpoint: {inner.__cause__ or inner}"
    if isinstance(inner, urllib3.exceptions.SSLError):  # a certificate not trusted, ...
        return f"cannot reach the endpoint: {inner.args[0] if inner.args else inner}"
    if isinstance(exc, requests.exceptions.ChunkedEncodingError):  # closed part-way through the answer
        return "connection failed: the endpoint closed the connection part-way through its answer"
    return f"connection failed: {excerpt(str(exc), 160)}"


def _failure(exc: BaseException, wait: float) -> tuple[bool, str]:
    """``(went quiet, what happened)`` for a request that got no answer: a connection that could not be made
    is said so; one that was made and then went quiet (not sent again), or was closed, is said so too, with
    the wait.  An error that did not go quiet comes after every attempt (see :class:`_Policy`)."""
    import requests
    import urllib3

    if isinstance(exc, requests.ConnectTimeout):
        return False, f"cannot connect: no answer to the connection within {wait:g} s"
    if isinstance(exc, requests.ReadTimeout):
        return True, f"connected and sent the request, but no answer came within {wait:g} s (raise --timeout)"
    if isinstance(exc, TimeoutError):  # our own deadline, the answer trickling in
        return True, f"connected, but no complete answer within {wait:g} s (raise --timeout)"
    inner = exc.args[0] if exc.args else None
    if isinstance(inner, urllib3.exceptions.MaxRetryError):
        inner = inner.reason
    if isinstance(inner, urllib3.exceptions.ProtocolError):  # the connection was made, then broke
        cause = inner.args[1] if len(inner.args) > 1 else None
        if isinstance(cause, TimeoutError):
            return True, (f"connected, but the store stopped taking the request for {wait:g} s "
                          "while it was being sent (raise --timeout)")
        return False, f"connected, but the store closed the connection before answering ({excerpt(str(cause), 120)})"
    return False, f"cannot connect: {_reason(exc)}"


def _deadline_read(response: Any, deadline: float) -> bytes:
    """The body as it arrives (urllib3's ``read1``: what one receive gives, so each step is short), decoded
    as requests would, with the deadline checked after every step."""
    chunks = []
    raw = response.raw
    try:
        while True:
            if time.monotonic() > deadline:
                raise TimeoutError
            chunk = raw.read1(65536, decode_content=True)
            if not chunk:
                break
            chunks.append(chunk)
    except TimeoutError:
        response.close()
        raise
    except Exception as exc:  # noqa: BLE001 - urllib3's protocol errors: closed mid-body, bad chunking
        import requests

        response.close()
        raise requests.exceptions.ChunkedEncodingError(str(exc)) from None
    return b"".join(chunks)


def _reason(exc: BaseException) -> str:
    text = str(exc)
    for marker in ("Connection refused", "Name or service not known", "timed out", "Connection reset"):
        if marker in text:
            return marker
    return excerpt(text, 160)


def excerpt(text: str, limit: int = 200) -> str:
    """``text`` on one line (whitespace runs as one space), cut at ``limit`` characters."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "…"


def shown(response: Any) -> str:
    """The start of a server's answer, with the request's credentials masked wherever it echoes them."""
    text = redact(response.text)
    header = (getattr(response.request, "headers", None) or {}).get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if token:
        text = text.replace(token, "***")
        if scheme.lower() == "basic":
            try:
                text = redact(text, *base64.b64decode(token).decode("utf-8", "replace").split(":", 1))
            except (ValueError, TypeError):
                pass
    return excerpt(text)


def check(response: Any, what: str) -> None:
    """Refuse an answer that is not a success, as a :class:`StoreError` naming the URL, what was being done
    (``what``: "querying", "loading GRAPH", ...) and the server's answer (credentials masked)."""
    if response.status_code in (200, 201, 204):
        return
    if response.status_code == 401:
        raise StoreError(f"{safe_url(response.url)}: HTTP 401 Unauthorized while {what}: "
                         "check --user and KGPUB_PASSWORD")
    if response.status_code in (404, 405) and what == "querying":
        raise StoreError(f"{safe_url(response.url)}: HTTP {response.status_code} {response.reason} while {what}: "
                         "no dataset or repository answers here; check the URL, or make it with --create")
    raise StoreError(f"{safe_url(response.url)}: HTTP {response.status_code} {response.reason} while {what}: "
                     f"{shown(response)}")


__all__ = ["ATTEMPTS", "BACKOFF", "Client", "check", "excerpt", "shown"]
