# rule: a statement names its speaker or says the text does not; a denial says what it denies
# expect: a:alpha-denies kgsh:StatementShape sh:SPARQLConstraintComponent
INSERT { a:alpha-denies a kg:SpeechAct , kg:Denial ; kg:actType kgt:Deny ; rdfs:label "Denial" ; kg:evidence ?e } WHERE { a:rocket-attack kg:evidence ?e }
