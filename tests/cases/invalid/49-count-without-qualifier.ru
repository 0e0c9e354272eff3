# rule: a count says how exact it is, and its least value is not more than its most
# expect: a:rocket-attack/count/1 kgsh:Count-qualifier sh:MinCountConstraintComponent
# expect: a:rocket-attack/count/1 kgsh:CountShape sh:SPARQLConstraintComponent
INSERT { a:rocket-attack kg:count <https://example.org/id/article/mini-1/rocket-attack/count/1> . <https://example.org/id/article/mini-1/rocket-attack/count/1> a kg:Count ; kg:countOf kgt:Killed ; kg:minValue 30 ; kg:maxValue 20 ; kg:evidence ?e } WHERE { a:rocket-attack kg:evidence ?e }
