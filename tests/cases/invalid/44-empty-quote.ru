# rule: a quote is not empty
# expect: a:rocket-attack/evidence/1/quote kgsh:Quote-exact sh:MinLengthConstraintComponent
DELETE { ?q oa:exact ?x } INSERT { ?q oa:exact "" } WHERE { a:rocket-attack kg:evidence/oa:hasSelector ?q . ?q oa:exact ?x }
