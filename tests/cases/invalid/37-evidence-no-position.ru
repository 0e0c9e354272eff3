# rule: evidence has one position selector
# expect: a:rocket-attack/evidence/1 kgsh:Evidence-positionSelector sh:QualifiedMinCountConstraintComponent
DELETE { ?r oa:hasSelector ?p } WHERE { a:rocket-attack kg:evidence ?r . ?r oa:hasSelector ?p . ?p a oa:TextPositionSelector }
