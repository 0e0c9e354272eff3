"""SHACL validation: the shapes compiled to SPARQL and run on pyoxigraph, pySHACL as the fallback and reference,
and the report.

The modules import one way, so each can be read and tested on its own:
``datatypes`` and ``report`` import nothing of this package; ``sparql`` (SHACL-SPARQL constraints)
imports ``report``; ``compiler`` (shapes to a plan) imports ``sparql`` and ``datatypes``; ``runner`` (a plan
over a store) imports all of those; ``validation`` (the build's stage, ``kgpub validate``, the pySHACL
fallback) sits on top.
"""
