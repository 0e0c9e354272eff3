"""What a build computes, stage by stage: the mapping of typed facts to RDF, provenance (quotes anchored to the
text), retractions, and the cache of each article's result."""
