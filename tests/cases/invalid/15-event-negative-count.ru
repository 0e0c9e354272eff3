# rule: kg:personCount is a non-negative xsd:integer
# expect: a:rocket-attack kgsh:Event-personCount sh:MinInclusiveConstraintComponent
INSERT DATA { a:rocket-attack kg:personCount "-1"^^xsd:integer }
