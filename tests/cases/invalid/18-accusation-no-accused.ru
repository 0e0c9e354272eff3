# rule: an accusation has at least one accused
# expect: a:beta-accuses-alpha kgsh:Accusation-accused sh:MinCountConstraintComponent
DELETE WHERE { a:beta-accuses-alpha kg:accused ?x }
