# edge case: a date known only to the year
DELETE { a:rocket-attack kg:date ?d } INSERT { a:rocket-attack kg:date "2021"^^xsd:gYear } WHERE { a:rocket-attack kg:date ?d }
