# rule: an event is not dated after its article was published
# expect: a:rocket-attack kgsh:EventShape sh:SPARQLConstraintComponent
DELETE { a:rocket-attack kg:earliest ?e ; kg:latest ?l } INSERT { a:rocket-attack kg:earliest "2021-06-01"^^xsd:date ; kg:latest "2021-06-30"^^xsd:date } WHERE { a:rocket-attack kg:earliest ?e ; kg:latest ?l } ;
DELETE { a:rocket-attack kg:date ?d } INSERT { a:rocket-attack kg:date "2021-06"^^xsd:gYearMonth } WHERE { a:rocket-attack kg:date ?d }
