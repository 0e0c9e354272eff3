# rule: oa:start is less than oa:end
# expect: a:rocket-attack/evidence/1/position kgsh:Position-order sh:LessThanConstraintComponent
DELETE { ?p oa:start ?s ; oa:end ?e } INSERT { ?p oa:start ?e ; oa:end ?s } WHERE { a:rocket-attack kg:evidence/oa:hasSelector ?p . ?p oa:start ?s ; oa:end ?e }
