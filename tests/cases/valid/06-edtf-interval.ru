# edge case: a date the text gives as an interval (EDTF), with its bounds and no exact value
DELETE { a:rocket-attack kg:date ?d } INSERT { a:rocket-attack kg:edtf "2021-05-01/2021-05-03"^^<http://id.loc.gov/datatypes/edtf/EDTF> ; kg:datePhrase "early May"@en ; kg:dateRule kg:PartOfMonthRule } WHERE { a:rocket-attack kg:date ?d } ;
DELETE { a:rocket-attack kg:earliest ?e ; kg:latest ?l } INSERT { a:rocket-attack kg:earliest "2021-05-01"^^xsd:date ; kg:latest "2021-05-03"^^xsd:date } WHERE { a:rocket-attack kg:earliest ?e ; kg:latest ?l } ;
