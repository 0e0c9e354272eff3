# rule: schema:sameAs links to Wikidata
# expect: id:news-co kgsh:Agent-sameAs sh:PatternConstraintComponent
INSERT DATA { id:news-co schema:sameAs <http://dbpedia.org/resource/News_Co> }
