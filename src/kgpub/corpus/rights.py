"""Whether an article's full text may be published beside its facts (``kgpub site``, ``kgpub serve``).

The graph itself only ever holds short quotes, each with its article's licence and attribution.  A
page that shows the whole text republishes the article: kgpub does that only where the text's licence
(``article.licence``, written as ``dct:license``) allows anyone to, or where the dataset says so
explicitly (``full_text:`` in ``dataset.yaml``, for a text the publisher of the graph has the rights
to).  Anything else (a text in copyright, a licence kgpub does not know, no licence at all) shows the
quotes alone.
"""

from __future__ import annotations

import re

#: The licences and rights statements under which anyone may republish a text verbatim: the public domain
#: (Public Domain Mark, CC0, rightsstatements.org's "No Copyright - United States" for US government works)
#: and Creative Commons BY and BY-SA of any version.  NC and ND licences are left out: whether a site
#: may carry the text depends on who runs it.
OPEN_LICENCE = re.compile(
    r"^https?://(?:"
    r"creativecommons\.org/(?:publicdomain/(?:mark|zero)/1\.0|licenses/by(?:-sa)?/[1-4]\.0)"
    r"|rightsstatements\.org/vocab/NoC-US/1\.0"
    r")/?(?:legalcode(?:\.[a-z-]+)?)?$"
)


def open_licence(licence: str | None) -> bool:
    """Whether ``licence`` (an IRI) lets anyone republish the text verbatim."""
    return licence is not None and OPEN_LICENCE.match(licence) is not None


def text_published(licence: str | None, override: bool | None = None) -> bool:
    """Whether an article's full text is published: the dataset's explicit choice, else its licence."""
    if override is not None:
        return override
    return open_licence(licence)
