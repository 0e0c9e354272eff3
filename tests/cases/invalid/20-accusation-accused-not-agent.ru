# rule: the accused are agents
# expect: a:beta-accuses-alpha kgsh:Accusation-accused sh:ClassConstraintComponent
INSERT DATA { a:beta-accuses-alpha kg:accused id:gamma-base }
