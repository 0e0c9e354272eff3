# rule: doubtful data: an entity an article defines (with its quote) that takes part in nothing (a warning)
# expect: a:ghost kgsh:UnusedEntityShape sh:SPARQLConstraintComponent
INSERT { a:ghost a kg:Person , kg:Agent ; rdfs:label "Ghost" ; kg:evidence ?e } WHERE { a:rocket-attack kg:evidence ?e }
