# edge case: publication known to the year, event to a later month of that year
DELETE { ?a schema:datePublished ?p . a:rocket-attack kg:date ?d } INSERT { ?a schema:datePublished "2021"^^xsd:gYear . a:rocket-attack kg:date "2021-12"^^xsd:gYearMonth } WHERE { ?a schema:datePublished ?p . a:rocket-attack kg:date ?d }
