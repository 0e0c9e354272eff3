"""Independent parsers accept every output: Raptor's rapper, and Oxigraph's parser.

rapper comes from Debian's raptor2-utils (installed by scripts/test.sh). When it is
missing the test skips with the reason shown, except in CI, where it fails.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph

from conftest import require

pytestmark = pytest.mark.slow  # independent parsers (Raptor's rapper)

OUTPUTS = [("kg.ttl", "turtle"), ("void.ttl", "turtle"), ("ontology.ttl", "turtle"),
           ("articles/000_eb2d348de878cb8c.ttl", "turtle"), ("kg.trig", "trig"), ("kg.nt", "ntriples")]


def rdflib_count(path: Path, syntax: str) -> int:
    if syntax == "trig":
        ds = Dataset()
        ds.parse(path, format="trig")
        return sum(len(g) for g in ds.graphs())
    return len(Graph().parse(path, format={"turtle": "turtle", "ntriples": "nt"}[syntax]))


@pytest.fixture(scope="module")
def rapper() -> str:
    path = shutil.which("rapper")
    require(path, "rapper (Debian raptor2-utils)")
    return str(path)


@pytest.mark.external
@pytest.mark.parametrize(("name", "syntax"), OUTPUTS)
def test_rapper_accepts_every_output(rapper: str, seed_build: Path, name: str, syntax: str) -> None:
    path = seed_build / name
    run = subprocess.run([rapper, "-i", syntax, "-c", str(path)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    count = int(re.search(r"returned (\d+) triples", run.stderr).group(1))  # type: ignore[union-attr]
    assert count == rdflib_count(path, syntax)


@pytest.mark.parametrize(("name", "fmt"), [("kg.ttl", ox.RdfFormat.TURTLE), ("kg.trig", ox.RdfFormat.TRIG),
                                           ("kg.nt", ox.RdfFormat.N_TRIPLES), ("kg.jsonld", ox.RdfFormat.JSON_LD),
                                           ("void.ttl", ox.RdfFormat.TURTLE), ("ontology.ttl", ox.RdfFormat.TURTLE)])
def test_oxigraph_parses_every_output(seed_build: Path, name: str, fmt: ox.RdfFormat) -> None:
    quads = list(ox.parse(path=str(seed_build / name), format=fmt))
    kg = len(Graph().parse(seed_build / "kg.ttl"))
    if name in ("kg.ttl", "kg.nt", "kg.jsonld"):
        assert len(quads) == kg
    else:
        assert quads
