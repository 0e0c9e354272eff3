# rule: a claim runs the way its property does (kg:agent from an event to an agent)
# expect: a:beta-accuses-alpha/claim/rocket-attack/agent/alpha-brigade kgsh:ClaimShape sh:SPARQLConstraintComponent
DELETE { ?c rdf:subject ?s ; rdf:object ?o } INSERT { ?c rdf:subject ?o ; rdf:object ?s } WHERE { ?c a kg:Claim ; rdf:subject ?s ; rdf:object ?o }
