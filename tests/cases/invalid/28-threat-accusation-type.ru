# rule: a threat's type is a threat type
# expect: a:zed-threat kgsh:Threat-actType sh:InConstraintComponent
DELETE { a:zed-threat kg:actType ?t } INSERT { a:zed-threat kg:actType kgt:Accuse } WHERE { a:zed-threat kg:actType ?t }
