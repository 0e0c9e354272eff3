# rule: a label is a plain string
# expect: a:rocket-attack kgsh:label sh:DatatypeConstraintComponent
DELETE { a:rocket-attack rdfs:label ?l } INSERT { a:rocket-attack rdfs:label "Rocket attack"@en } WHERE { a:rocket-attack rdfs:label ?l }
