# rule: a threat has exactly one threatener
# expect: a:zed-threat kgsh:Threat-threatener sh:MinCountConstraintComponent
DELETE WHERE { a:zed-threat kg:threatener ?x }
