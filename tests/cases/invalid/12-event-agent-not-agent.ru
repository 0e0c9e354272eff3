# rule: kg:agent is a kg:Agent
# expect: a:rocket-attack kgsh:Event-agent sh:ClassConstraintComponent
INSERT DATA { a:rocket-attack kg:agent id:gamma-base }
