# rule: a claim states one subject, one allowed predicate and one object
# expect: a:beta-accuses-alpha/claim/rocket-attack/agent/alpha-brigade kgsh:Claim-predicate sh:InConstraintComponent
# expect: a:beta-accuses-alpha/claim/rocket-attack/agent/alpha-brigade kgsh:Claim-object sh:MinCountConstraintComponent
DELETE { ?c rdf:predicate ?p ; rdf:object ?o } INSERT { ?c rdf:predicate kg:label } WHERE { ?c a kg:Claim ; rdf:predicate ?p ; rdf:object ?o }
