# rule: only a geopolitical entity (a country) is both a place and an actor (a warning)
# expect: id:gamma-base kgsh:PlaceAgentShape sh:OrConstraintComponent
INSERT DATA { id:gamma-base a kg:Organization , kg:Agent }
