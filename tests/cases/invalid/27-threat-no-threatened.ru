# rule: a threat has at least one threatened
# expect: a:zed-threat kgsh:Threat-threatened sh:MinCountConstraintComponent
DELETE WHERE { a:zed-threat kg:threatened ?x }
