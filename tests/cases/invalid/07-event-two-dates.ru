# rule: an event has at most one date
# expect: a:rocket-attack kgsh:date sh:MaxCountConstraintComponent
INSERT DATA { a:rocket-attack kg:date "2021"^^xsd:gYear }
