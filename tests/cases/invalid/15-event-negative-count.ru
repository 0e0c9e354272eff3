# rule: kg:personCount is an xsd:nonNegativeInteger
# expect: a:rocket-attack kgsh:Event-personCount sh:DatatypeConstraintComponent
INSERT DATA { a:rocket-attack kg:personCount "-1"^^xsd:integer }
