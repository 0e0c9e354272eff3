# rule: a victim is a person or a group
# expect: a:rocket-attack kgsh:Event-victim sh:OrConstraintComponent
INSERT DATA { a:rocket-attack kg:victim id:gamma-base }
