# rule: offsets are xsd:integer
# expect: a:rocket-attack/evidence/1/position kgsh:Position-start sh:DatatypeConstraintComponent
DELETE { ?p oa:start ?s } INSERT { ?p oa:start ?s2 } WHERE { a:rocket-attack kg:evidence/oa:hasSelector ?p . ?p oa:start ?s . BIND (STRDT(STR(?s), xsd:decimal) AS ?s2) }
