"""`kgpub load` at a million triples, from the command line with its default options: the 5,000-article
synthetic build (10,004 graphs, 1.12 M triples, 2.39 M with the default graph's copy) into a plain
``oxigraph serve``, then loaded again (nothing sent), and the store's default graph holding the copy."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from servers import start_oxigraph, stop

import kgpub
from kgpub.cli import main
from kgpub.sparql.results import SelectResult

pytestmark = [pytest.mark.integration, pytest.mark.slow]
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def million(tmp_path_factory: pytest.TempPathFactory) -> Path:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from synth import write_corpus

    work = tmp_path_factory.mktemp("million")
    write_corpus(work / "corpus", 5000, seed=7)
    kgpub.build(work / "corpus", work / "dist", validate=False, index=False)  # what is loaded is the point here
    return work / "dist"


def expected(build: Path) -> tuple[int, int, int]:
    """What the load must report, read from the build's files themselves: the graphs (the TriG's named graphs, the
    ontology's and the default graph's copy), the triples of the named ones, and the copy's (the asserted data of
    kg.nt and the ontology, merged)."""
    import pyoxigraph as ox

    quads = list(ox.parse(path=str(build / "kg.trig"), format=ox.RdfFormat.TRIG))
    ontology = set(ox.parse(path=str(build / "ontology.ttl"), format=ox.RdfFormat.TURTLE))
    data = set(ox.parse(path=str(build / "kg.nt"), format=ox.RdfFormat.N_TRIPLES))
    return len({q.graph_name for q in quads}) + 2, len(quads) + len(ontology), len(data | ontology)


def test_the_million_triple_build_loads_with_the_default_options(million: Path) -> None:
    server = start_oxigraph()
    try:
        runner = CliRunner()
        first = runner.invoke(main, ["load", server.url, "--flavor", "oxigraph", "--data", str(million)])
        assert first.exit_code == 0, first.stderr[-2000:]
        graphs, named, default = expected(million)
        lines = first.stdout.splitlines()
        assert lines[-1].startswith(f"sent {graphs} of {graphs} graphs ({named + default} triples) to {server.url} "
                                    "[oxigraph], ")
        assert {line.split()[-1] for line in lines[1:-1]} == {"loaded"}
        assert lines[-2].split() == ["(default", "graph)", str(default), str(default), "loaded"]
        again = runner.invoke(main, ["load", server.url, "--flavor", "oxigraph", "--data", str(million)])
        assert again.exit_code == 0, again.stderr[-2000:]
        assert again.stdout.splitlines()[-1].startswith(f"sent 0 of {graphs} graphs (0 triples)")
        count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"  # the store's default graph: the load's copy
        remote = kgpub.query(count, endpoint=server.url + "/query")
        assert isinstance(remote, SelectResult)
        assert [r["n"]["value"] for r in remote.rows] == [str(default)]  # the data graphs and the ontology, merged
    finally:
        stop(server.process)
