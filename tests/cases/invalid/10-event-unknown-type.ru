# rule: event types come from the kgpub scheme
# expect: a:rocket-attack kgsh:Event-eventType sh:InConstraintComponent
INSERT DATA { a:rocket-attack kg:eventType kgt:Banana }
