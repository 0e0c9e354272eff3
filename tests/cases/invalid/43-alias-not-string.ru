# rule: aliases are plain strings
# expect: id:alpha-brigade kgsh:Agent-altLabel sh:DatatypeConstraintComponent
INSERT DATA { id:alpha-brigade skos:altLabel 5 }
