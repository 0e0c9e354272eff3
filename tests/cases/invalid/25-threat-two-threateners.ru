# rule: a threat has exactly one threatener
# expect: a:zed-threat kgsh:Threat-threatener sh:MaxCountConstraintComponent
INSERT DATA { a:zed-threat kg:threatener id:alpha-brigade }
