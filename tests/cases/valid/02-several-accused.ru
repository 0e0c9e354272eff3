# edge case: an accusation against several actors
INSERT DATA { a:beta-accuses-alpha kg:accused a:omar-zed , id:delta-network }
