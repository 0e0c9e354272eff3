# edge case: publication known to the year, event to a later month of that year
DELETE { a:rocket-attack kg:earliest ?e ; kg:latest ?l } INSERT { a:rocket-attack kg:earliest "2021-12-01"^^xsd:date ; kg:latest "2021-12-31"^^xsd:date } WHERE { a:rocket-attack kg:earliest ?e ; kg:latest ?l } ;
DELETE { ?a schema:datePublished ?p . a:rocket-attack kg:date ?d } INSERT { ?a schema:datePublished "2021"^^xsd:gYear . a:rocket-attack kg:date "2021-12"^^xsd:gYearMonth } WHERE { ?a schema:datePublished ?p . a:rocket-attack kg:date ?d }
