# rule: an event needs evidence
# expect: a:rocket-attack kgsh:evidence sh:MinCountConstraintComponent
DELETE WHERE { a:rocket-attack kg:evidence ?r }
