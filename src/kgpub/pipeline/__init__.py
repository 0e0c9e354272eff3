"""What a build computes, stage by stage.

``stages`` is the full build in order (read it top to bottom); ``articles`` the part that runs per article in
worker processes (facts → ``mapping`` → ``provenance`` → N-Triples, ``retractions`` applied); ``incremental``
the rebuild that patches the previous build from its ``BuildState``; ``cache`` what each article produced,
kept between builds; ``results`` what a build returns.  How the work runs (processes, threads, staging, the
swap) is ``kgpub.execution``'s.
"""
