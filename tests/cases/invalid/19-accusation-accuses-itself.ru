# rule: the accuser is not among the accused
# expect: a:beta-accuses-alpha kgsh:Accusation-notSelf sh:DisjointConstraintComponent
INSERT DATA { a:beta-accuses-alpha kg:accused id:beta-government }
