"""The corpus as curators write it: facts files and the registry read, checked and typed, dates, names and
identities, quotes, licences and releases. Nothing here knows RDF."""
