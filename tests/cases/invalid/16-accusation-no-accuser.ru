# rule: an accusation has exactly one accuser
# expect: a:beta-accuses-alpha kgsh:Accusation-accuser sh:MinCountConstraintComponent
DELETE WHERE { a:beta-accuses-alpha kg:accuser ?x }
