# rule: an event has exactly one label
# expect: a:rocket-attack kgsh:label sh:MinCountConstraintComponent
DELETE WHERE { a:rocket-attack rdfs:label ?l }
