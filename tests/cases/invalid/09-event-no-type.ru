# rule: an event has an event type
# expect: a:rocket-attack kgsh:Event-eventType sh:MinCountConstraintComponent
DELETE WHERE { a:rocket-attack kg:eventType ?t }
