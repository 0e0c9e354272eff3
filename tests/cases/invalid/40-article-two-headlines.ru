# rule: an article has exactly one headline
# expect: id:article/mini-1 kgsh:Article-headline sh:MaxCountConstraintComponent
INSERT DATA { <https://example.org/id/article/mini-1> schema:headline "Another headline"@en }
