# rule: offsets are never negative
# expect: a:rocket-attack/evidence/1/position kgsh:Position-start sh:MinInclusiveConstraintComponent
# expect: a:rocket-attack/evidence/1 kgsh:EvidenceShape sh:SPARQLConstraintComponent
DELETE { ?p oa:start ?s } INSERT { ?p oa:start -5 } WHERE { a:rocket-attack kg:evidence/oa:hasSelector ?p . ?p oa:start ?s }
