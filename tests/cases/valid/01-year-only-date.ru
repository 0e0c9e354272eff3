# edge case: a date known only to the year
DELETE { a:rocket-attack kg:earliest ?e ; kg:latest ?l } INSERT { a:rocket-attack kg:earliest "2021-01-01"^^xsd:date ; kg:latest "2021-12-31"^^xsd:date } WHERE { a:rocket-attack kg:earliest ?e ; kg:latest ?l } ;
DELETE { a:rocket-attack kg:date ?d } INSERT { a:rocket-attack kg:date "2021"^^xsd:gYear } WHERE { a:rocket-attack kg:date ?d }
