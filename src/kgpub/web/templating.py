"""The Jinja2 templates every page is drawn with, and a record of which of them drew a page.

HTML lives in ``web/templates`` (autoescaped: a label with ``<`` or ``&`` in it is text, never markup,
without an escape call in the code), style and scripts in ``web/static``.  A static site redraws a page
only when something it was drawn from changed; the templates are part of that, so the environment
notes every template a render loads (the page's own and those it extends or includes), and
:func:`digest` gives what a template's text is now.  More template folders may be put in front of the
package's (:func:`add_folder`): a template there replaces the package's of the same name, and a new
view's template is found there.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import jinja2
import jinja2.compiler

try:  # MarkupSafe's own escaping, in C, without the Markup its ``escape`` wraps each result in
    from markupsafe._speedups import _escape_inner
except ImportError:  # pragma: no cover - MarkupSafe built without its C extension: the same replacements
    def _escape_inner(s: str, /) -> str:
        return (s.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;").replace("'", "&#39;")
                .replace('"', "&#34;"))

#: The package's own templates and static files.
TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"

#: Template folders searched before the package's, most recently added first.
_folders: list[Path] = []
_environment: _Recording | None = None


def text(value: Any) -> str:
    """``{{ value }}`` as a page writes it: MarkupSafe's ``escape`` (the same characters replaced; a value with
    ``__html__``, such as Markup, written as it is), returned as a plain string.

    ``escape`` wraps every result in a ``Markup`` only for the page to join the pieces into one string: a Python
    constructor per value written, hundreds per page, which made a fifth of a static site's drawing at a million
    triples.  A piece is only ever joined into its page, or into a block or macro that Jinja marks safe whole."""
    if type(value) is str:
        return _escape_inner(value)
    html = getattr(value, "__html__", None)
    if html is not None:
        return str(html())
    return _escape_inner(str(value))


class _TextCodeGenerator(jinja2.compiler.CodeGenerator):
    """Jinja's code generator (the environment's documented ``code_generator_class``), with every value an
    autoescaped template writes passed to :func:`text` (``environment.text``) instead of ``escape``; everything
    else, and a template that switches autoescaping itself, compiled as Jinja compiles it."""

    def _output_child_pre(self, node: Any, frame: Any, finalize: Any) -> None:
        if frame.eval_ctx.volatile or not frame.eval_ctx.autoescape:
            super()._output_child_pre(node, frame, finalize)
            return
        self.write("environment.text(")
        if finalize.src is not None:
            self.write(finalize.src)


class _Recording(jinja2.Environment):
    """An environment that notes the name of every template loaded while :attr:`used` is a set.

    ``{% extends %}`` and ``{% include %}`` load their template through :meth:`get_template` at render
    time, so a page's set holds every template that drew it, whatever the cache holds."""

    used: set[str] | None = None
    # where Jinja has no such hook to override, the plain generator (the pages are the same, drawn slower)
    if hasattr(jinja2.compiler.CodeGenerator, "_output_child_pre"):
        code_generator_class = _TextCodeGenerator
    text = staticmethod(text)

    def get_template(self, name: Any, parent: str | None = None, globals: Any = None) -> jinja2.Template:
        if self.used is not None and isinstance(name, str):
            self.used.add(name)
        return super().get_template(name, parent, globals)


def environment() -> _Recording:
    """The one environment (made again when a folder is added: its loader and cache follow the folders)."""
    global _environment
    if _environment is None:
        loader = jinja2.FileSystemLoader([*(str(f) for f in _folders), str(TEMPLATES)])
        _environment = _Recording(loader=loader, autoescape=True, trim_blocks=True, lstrip_blocks=True,
                                  keep_trailing_newline=False, undefined=jinja2.StrictUndefined,
                                  auto_reload=False)  # a template changes between runs, not during one
    return _environment


def add_folder(folder: Path) -> None:
    """Search ``folder`` for templates before the package's (a new view's template, or a replacement)."""
    global _environment
    _folders.insert(0, Path(folder))
    _environment = None


def remove_folder(folder: Path) -> None:
    global _environment
    _folders.remove(Path(folder))
    _environment = None


def render(name: str, **context: Any) -> str:
    return environment().get_template(name).render(**context)


@contextmanager
def recording() -> Iterator[set[str]]:
    """The names of the templates loaded inside the ``with`` block."""
    env = environment()
    outer, env.used = env.used, set()
    try:
        yield env.used
    finally:
        inner = env.used
        env.used = outer
        if outer is not None:
            outer |= inner


def digest(name: str) -> str:
    """What the template ``name`` is now (a digest of its text where the folders find it); "-" if none has it."""
    env = environment()
    try:
        source, _, _ = env.loader.get_source(env, name)  # type: ignore[union-attr]
    except jinja2.TemplateNotFound:
        return "-"
    return hashlib.sha256(source.encode("utf-8")).hexdigest()[:16]


def static_files() -> dict[str, bytes]:
    """The style sheets and scripts pages link, by their path under ``/static/`` (``kgpub.css``, and a vendored
    package's files in its folder: ``vendor/codemirror/codemirror.js``); nothing hidden, nothing Python."""
    return {p.relative_to(STATIC).as_posix(): p.read_bytes() for p in sorted(STATIC.rglob("*"))
            if p.is_file() and not any(part.startswith((".", "_")) for part in p.relative_to(STATIC).parts)}
