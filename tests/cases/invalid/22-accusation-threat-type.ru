# rule: an accusation's type is an accusation type
# expect: a:beta-accuses-alpha kgsh:Accusation-actType sh:InConstraintComponent
DELETE { a:beta-accuses-alpha kg:actType ?t } INSERT { a:beta-accuses-alpha kg:actType kgt:Threaten } WHERE { a:beta-accuses-alpha kg:actType ?t }
