# rule: a label is not blank
# expect: a:rocket-attack kgsh:label sh:PatternConstraintComponent
DELETE { a:rocket-attack rdfs:label ?l } INSERT { a:rocket-attack rdfs:label "   " } WHERE { a:rocket-attack rdfs:label ?l }
