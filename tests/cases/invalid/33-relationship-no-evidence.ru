# rule: a relationship cites the article
# expect: a:relation/omar-zed/memberOf/alpha-brigade kgsh:evidence sh:MinCountConstraintComponent
DELETE WHERE { <https://example.org/id/article/mini-1/relation/omar-zed/memberOf/alpha-brigade> kg:evidence ?r }
