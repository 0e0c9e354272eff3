# rule: claim content is never asserted in the published graph
# expect: id:alpha-brigade kgsh:ComplicityShape sh:SPARQLConstraintComponent
INSERT DATA { id:alpha-brigade kg:complicitIn a:rocket-attack }
