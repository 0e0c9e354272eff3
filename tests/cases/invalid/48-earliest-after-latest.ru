# rule: a date's earliest day is not after its latest
# expect: a:rocket-attack kgsh:Dated-earliest sh:LessThanOrEqualsConstraintComponent
DELETE { a:rocket-attack kg:earliest ?e ; kg:latest ?l } INSERT { a:rocket-attack kg:earliest "2021-05-04"^^xsd:date ; kg:latest "2021-05-03"^^xsd:date } WHERE { a:rocket-attack kg:earliest ?e ; kg:latest ?l } ;
