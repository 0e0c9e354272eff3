# edge case: an accusation the article reports as probable, from a source it names, with its hedge
INSERT DATA { a:beta-accuses-alpha kg:certainty kg:Probable ; kg:accordingTo id:news-co ; kg:hedge "reportedly"@en }
