"""Exceptions that stop a kgpub command, each owning its exit code.

The contract, the same for every command: 0 done; 1 data that does not conform (or an ASK answered false:
results, not exceptions); 2 bad input or usage (:class:`InputError`, :class:`UsageError`, :class:`QueryError`,
:class:`OutputError`, :class:`ValidationSetupError`, :class:`NoBuildError`); 3 a store or endpoint that failed or refused
(:class:`StoreError`, :class:`EndpointError`); 70 an internal error (any other exception, caught by the CLI).

A command either finishes (possibly with a result that says the data does not
conform, which is *not* an exception) or stops with one of these.  The CLI
prints ``str(error)`` to stderr and exits with ``error.exit_code``; the library
never calls ``sys.exit`` itself, so it stays usable from Python.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Diagnostic:
    """One problem in one input file, located as precisely as we can.

    Kept as data (not a formatted string) so tests and callers can check the
    file, line and field separately from the wording.
    """

    file: str
    line: int | None
    field: str
    message: str
    column: int | None = None

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        field = f" {self.field}:" if self.field else ""
        return f"{where}:{field} {self.message}"


def ordered(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """File by file, line by line, each once (two schema rules can word one mistake alike); within a file,
    what has no line (a summary of what was left unchecked) comes after the located mistakes, which are what
    to fix first."""
    return sorted(set(diagnostics), key=lambda d: (d.file, d.line is None, d.line or 0, d.column or 0, d.field, d.message))


class KgpubError(Exception):
    """Base of every error a kgpub command reports to its user."""

    exit_code = 2

    def __init__(self, message: str | list[str]) -> None:
        #: The lines to show: one problem each (a newline inside one, from a file name or a server's
        #: answer, is part of that problem and is shown escaped), or a problem and its indented detail.
        self.lines = [message] if isinstance(message, str) else list(message)
        self.message = "\n".join(self.lines)
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message

    def __reduce__(self) -> tuple[Any, ...]:
        """An error crosses from a forked process as it was raised (a command's work may run in one): its class
        and every attribute it carries, not the arguments of its class's own ``__init__``."""
        return _rebuilt, (type(self), self.message, dict(self.__dict__))


def _rebuilt(cls: type[KgpubError], message: str, state: dict[str, Any]) -> KgpubError:
    error = cls.__new__(cls)
    Exception.__init__(error, message)
    error.__dict__.update(state)
    return error


class InputError(KgpubError):
    """The curator's input (facts, registry, article text) is wrong.

    Carries every problem found, one :class:`Diagnostic` each, so a curator
    can fix them all in one pass instead of one per run.
    """

    exit_code = 2

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = ordered(diagnostics)
        super().__init__([str(d) for d in self.diagnostics])


class OutputError(KgpubError):
    """The output folder cannot be written or replaced safely."""

    exit_code = 2


class QueryError(KgpubError):
    """A query cannot be run: bad syntax, no data, unreachable endpoint."""

    exit_code = 2


class ValidationSetupError(KgpubError):
    """The data or the shapes cannot be read, or the shapes ask what SHACL gives no meaning (pySHACL's exit 2)."""

    exit_code = 2


class UsageError(KgpubError):
    """A command was given options that cannot work together, or a target that is not one (exit 2, as click's)."""

    exit_code = 2


class NoBuildError(UsageError, QueryError):
    """A command that reads a build was pointed at a folder without one (exit 2).

    Raised by ``output.folder.require_build`` only, for every command.  Both a usage error and a query error,
    as the checks it replaces were: ``kgpub serve`` answers a query whose build went away as any query that
    cannot run (400), and callers catching either kind keep catching it.
    """

    exit_code = 2


class QueryLimitError(QueryError):
    """A query ran past its time or memory limit and was stopped (the server's 503).

    ``what`` ("time" or "memory") and ``limit`` (seconds or bytes) let a caller word the message in its own
    terms: ``kgpub serve`` has no ``--max-memory`` to suggest.
    """

    exit_code = 2

    def __init__(self, message: str, what: str = "", limit: float = 0.0) -> None:
        super().__init__(message)
        self.what = what
        self.limit = limit


class StoreError(KgpubError):
    """A triple store refused or failed a load."""

    exit_code = 3


class EndpointError(QueryError):
    """A remote SPARQL endpoint could not be reached, refused the query (an HTTP error: 400, 401, 405, 5xx ...),
    did not answer in time or answered what is not a result: a store or endpoint that failed, as for a load."""

    exit_code = 3
