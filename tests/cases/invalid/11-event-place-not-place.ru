# rule: kg:place is a kg:Place
# expect: a:rocket-attack kgsh:place sh:ClassConstraintComponent
INSERT DATA { a:rocket-attack kg:place id:beta-government }
