"""The corpus as curators write it: facts files and the registry read, checked and typed, dates, names and
identities, quotes, licences and releases. Nothing here knows RDF.

From the bottom up: ``dates`` (the one date type), ``model`` (the typed dataclasses, and which fields name
entities), ``yaml_lines`` (YAML whose values know their lines), ``schema`` (the JSON Schemas, checked),
``texts`` (article texts, read safely), ``convert`` (checked YAML into the model), ``checks`` (every check of a
facts file), ``reader`` (a seeds folder read: the entry point); beside them ``quotes``, ``identity``,
``rights`` and ``releases``.
"""
