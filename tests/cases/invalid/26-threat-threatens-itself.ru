# rule: the threatener is not among the threatened
# expect: a:zed-threat kgsh:Threat-notSelf sh:DisjointConstraintComponent
INSERT DATA { a:zed-threat kg:threatened a:omar-zed }
