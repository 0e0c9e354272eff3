"""SPARQL: queries on a build (its index), on remote endpoints, pre-binding of parameters, results rendered, and
the shipped queries.

``lexer`` reads a query's text (strings, IRIs, comments, keywords) for every
other module; ``index`` keeps the build's query store; ``local`` and
``remote`` run a query there or on an endpoint; ``prebinding`` puts a
parameter's term in place of its variable; ``results`` holds what a query
gives and prints it; ``shipped`` lists the queries that come with kgpub.
"""
