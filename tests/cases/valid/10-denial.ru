# edge case: a denial of an accusation, by the accused, with its quote
INSERT { a:alpha-denies a kg:SpeechAct , kg:Denial ; kg:actType kgt:Deny ; rdfs:label "Denial by Alpha Brigade" ; kg:speaker id:alpha-brigade ; kg:about a:beta-accuses-alpha ; kg:denies a:beta-accuses-alpha ; kg:evidence ?e } WHERE { a:rocket-attack kg:evidence ?e }
