# rule: an article carries the SHA-256 of its text
# expect: id:article/mini-1 kgsh:Article-sha256 sh:PatternConstraintComponent
DELETE { ?a kg:textSha256 ?h } INSERT { ?a kg:textSha256 "not-a-hash" } WHERE { ?a kg:textSha256 ?h }
