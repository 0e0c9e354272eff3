# rule: an event has exactly one label
# expect: a:rocket-attack kgsh:label sh:MaxCountConstraintComponent
INSERT DATA { a:rocket-attack rdfs:label "Another name" }
