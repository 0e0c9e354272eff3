# edge case: an event on the day the article was published
DELETE { a:rocket-attack kg:earliest ?e ; kg:latest ?l } INSERT { a:rocket-attack kg:earliest "2021-05-04"^^xsd:date ; kg:latest "2021-05-04"^^xsd:date } WHERE { a:rocket-attack kg:earliest ?e ; kg:latest ?l } ;
DELETE { a:rocket-attack kg:date ?d } INSERT { a:rocket-attack kg:date "2021-05-04"^^xsd:date } WHERE { a:rocket-attack kg:date ?d }
