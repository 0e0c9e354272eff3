# rule: the quote's length equals end - start
# expect: a:rocket-attack/evidence/1 kgsh:EvidenceShape sh:SPARQLConstraintComponent
DELETE { ?p oa:end ?e } INSERT { ?p oa:end ?e2 } WHERE { a:rocket-attack kg:evidence/oa:hasSelector ?p . ?p oa:end ?e . BIND (STRDT(STR(?e + 1), xsd:integer) AS ?e2) }
