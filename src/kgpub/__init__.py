"""kgpub — publish the facts of news articles as a validated, quote-anchored RDF graph.

The library API mirrors the command line::

    import kgpub
    result = kgpub.build("seeds", "dist")
    print(result.summary())
    kgpub.draft("new.txt", seeds="seeds", published="2020-12-21")  # new.facts.yaml, every item drafted
    table = kgpub.query("SELECT ?p WHERE { ?e kg:victim ?p }", "dist")
    print(kgpub.diff("dist-1.0", "dist").text())
"""

from kgpub.errors import Diagnostic, EndpointError, InputError, KgpubError, OutputError, QueryError, StoreError
from kgpub.api import BuildResult, CheckResult, build, check, diff, entities, load, merge, query, serve, site, validate

__version__ = "0.1.0"


def __getattr__(name: str) -> object:
    """``kgpub.draft`` and ``kgpub.DraftResult`` load the drafting code (and rdflib with it) only when asked, so
    ``import kgpub`` and ``kgpub check``, run on every save, stay light."""
    if name in ("draft", "DraftResult"):
        from kgpub import drafting

        return getattr(drafting, name)
    raise AttributeError(f"module 'kgpub' has no attribute {name!r}")

__all__ = [
    "BuildResult", "CheckResult", "Diagnostic", "DraftResult", "EndpointError", "InputError", "KgpubError",
    "OutputError", "QueryError", "StoreError", "__version__", "build", "check", "diff", "draft", "entities", "load",
    "merge", "query", "serve", "site", "validate",
]
