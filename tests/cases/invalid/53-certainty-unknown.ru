# rule: a fact's certainty is one of kg:Probable, kg:Possible, kg:Denied
# expect: a:beta-accuses-alpha kgsh:certainty sh:InConstraintComponent
INSERT DATA { a:beta-accuses-alpha kg:certainty kg:Maybe }
