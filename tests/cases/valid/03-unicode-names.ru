# edge case: names in other scripts and with diacritics
DELETE { id:alpha-brigade rdfs:label ?l } INSERT { id:alpha-brigade rdfs:label "Kataʾib Ḥizballāh — كتائب حزب الله 🕊" ; skos:altLabel "Ḥizballāh" } WHERE { id:alpha-brigade rdfs:label ?l }
