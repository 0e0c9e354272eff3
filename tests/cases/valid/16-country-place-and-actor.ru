# edge case: a country is a place and an actor at once (a geopolitical entity)
INSERT DATA { id:kappa a kg:Country , kg:GeopoliticalEntity , kg:Place , kg:Agent ; rdfs:label "Kappa" . a:rocket-attack kg:participant id:kappa }
