"""kgpub — publish the facts of news articles as a validated, quote-anchored RDF graph.

The library API mirrors the command line::

    import kgpub
    result = kgpub.build("seeds", "dist")
    print(result.summary())
    kgpub.draft("new.txt", seeds="seeds", published="2020-12-21")  # new.facts.yaml, every item drafted
    table = kgpub.query("SELECT ?p WHERE { ?e kg:victim ?p }", "dist")
    print(kgpub.diff("dist-1.0", "dist").text())
"""

from .drafting import DraftResult, draft
from .errors import Diagnostic, EndpointError, InputError, KgpubError, OutputError, QueryError, StoreError
from .pipeline import BuildResult, CheckResult, build, check, diff, entities, load, query, serve, site, validate

__version__ = "0.1.0"

__all__ = [
    "BuildResult", "CheckResult", "Diagnostic", "DraftResult", "EndpointError", "InputError", "KgpubError",
    "OutputError", "QueryError", "StoreError", "__version__", "build", "check", "diff", "draft", "entities", "load",
    "query", "serve", "site", "validate",
]
