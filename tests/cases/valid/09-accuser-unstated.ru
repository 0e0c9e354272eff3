# edge case: a passive "it was blamed on": no accuser, the graph says it is unstated, the claim attributed to nobody
DELETE { a:beta-accuses-alpha kg:accuser ?x . ?c prov:wasAttributedTo ?x } INSERT { a:beta-accuses-alpha kg:accuserStated false } WHERE { a:beta-accuses-alpha kg:accuser ?x ; kg:claim ?c }
