# rule: kg:date is an xsd:date, xsd:gYearMonth or xsd:gYear
# expect: a:rocket-attack kgsh:date sh:OrConstraintComponent
DELETE { a:rocket-attack kg:date ?d } INSERT { a:rocket-attack kg:date "2021-05-03T10:00:00"^^xsd:dateTime } WHERE { a:rocket-attack kg:date ?d }
