# rule: an accusation concerns an event
# expect: a:beta-accuses-alpha kgsh:Accusation-concerns sh:ClassConstraintComponent
DELETE { a:beta-accuses-alpha kg:concerns ?e } INSERT { a:beta-accuses-alpha kg:concerns a:zed-threat } WHERE { a:beta-accuses-alpha kg:concerns ?e }
