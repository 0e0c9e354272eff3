# rule: an event is not dated after its article was published
# expect: a:rocket-attack kgsh:EventShape sh:SPARQLConstraintComponent
DELETE { a:rocket-attack kg:date ?d } INSERT { a:rocket-attack kg:date "2021-06"^^xsd:gYearMonth } WHERE { a:rocket-attack kg:date ?d }
