# rule: doubtful data: an entity that takes part in nothing (a warning)
# expect: id:ghost kgsh:UnusedEntityShape sh:SPARQLConstraintComponent
INSERT DATA { id:ghost a kg:Person , kg:Agent ; rdfs:label "Ghost" }
