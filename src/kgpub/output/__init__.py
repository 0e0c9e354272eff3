"""What a build writes: the serialisations of the graph (N-Triples, Turtle, JSON-LD, TriG), VoID, the blocks that
let a rebuild rewrite only what changed, the build folder, and the diff of two builds."""
