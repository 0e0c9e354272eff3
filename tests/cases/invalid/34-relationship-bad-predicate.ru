# rule: a relationship's predicate is a kgpub relation
# expect: a:relation/omar-zed/memberOf/alpha-brigade kgsh:Relationship-predicate sh:InConstraintComponent
DELETE { ?r rdf:predicate ?p } INSERT { ?r rdf:predicate kg:agent } WHERE { ?r rdf:predicate ?p ; rdf:subject a:omar-zed }
