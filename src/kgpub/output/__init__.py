"""What a build writes: ``writers`` (the registry of the whole-graph formats: N-Triples, Turtle, JSON-LD, TriG),
``blocks`` (the per-subject and per-graph blocks they are made of), ``layout`` (where each block sits, so a rebuild
rewrites only what changed), ``void`` (VoID/DCAT), ``folder`` (the build folder), and ``changes`` (the diff of two
builds)."""
