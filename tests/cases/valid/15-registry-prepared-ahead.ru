# edge case: a registry entity and a shared event no article refers to yet are hints, not warnings
INSERT DATA { id:ghost a kg:Person , kg:Agent ; rdfs:label "Ghost" . <https://example.org/id/event/later> a kg:SharedEvent ; rdfs:label "A later attack" ; kg:eventType kgt:Attack }
