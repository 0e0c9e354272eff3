# rule: an event has at least one actor
# expect: a:rocket-attack kgsh:EventShape sh:OrConstraintComponent
DELETE WHERE { a:rocket-attack kg:agent ?a ; kg:target ?t }
