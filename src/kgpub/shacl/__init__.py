"""SHACL validation: the shapes compiled to SPARQL and run on pyoxigraph, pySHACL as the fallback and reference,
and the report."""
