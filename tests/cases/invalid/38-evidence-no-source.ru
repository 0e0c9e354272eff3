# rule: evidence names the article it quotes
# expect: a:rocket-attack/evidence/1 kgsh:Evidence-source sh:MinCountConstraintComponent
DELETE { ?r oa:hasSource ?a } WHERE { a:rocket-attack kg:evidence ?r . ?r oa:hasSource ?a }
