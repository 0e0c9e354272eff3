# rule: an accusation has at most one accuser
# expect: a:beta-accuses-alpha kgsh:Accusation-accuser sh:MaxCountConstraintComponent
INSERT DATA { a:beta-accuses-alpha kg:accuser id:news-co }
