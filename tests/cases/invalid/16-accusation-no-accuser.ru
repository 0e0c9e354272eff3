# rule: an accusation names its accuser or says the text does not (kg:accuserStated false)
# expect: a:beta-accuses-alpha kgsh:AccusationShape sh:SPARQLConstraintComponent
DELETE WHERE { a:beta-accuses-alpha kg:accuser ?x }
