"""Shared RDF plumbing every room uses: the vocabulary and graph IRIs (``vocab``), the one table of RDF formats
(``formats``), and reading kgpub's own N-Triples lines as strings (``ntriples``)."""
