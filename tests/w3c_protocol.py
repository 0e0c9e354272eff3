"""The W3C SPARQL 1.1 Protocol and Service Description tests (``shared/w3c-sparql-protocol``), read from their
manifests: each protocol test is a sequence of HTTP requests, each with the status classes, the results format
and the boolean its response must have, and the graphs (``ut:graphData``) the dataset must hold.

The folder is the shared material beside the checkout (``../shared``; from a git worktree, beside the main
clone), or where ``KGPUB_SHARED`` says.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from rdflib import Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS
from rdflib.term import Literal, Node

ROOT = Path(__file__).resolve().parents[1]
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")


def shared_folder() -> Path | None:
    """``shared/`` beside the checkout (or beside the main clone of a worktree), or ``$KGPUB_SHARED``."""
    candidates = [Path(os.environ["KGPUB_SHARED"])] if os.environ.get("KGPUB_SHARED") else []
    candidates += [parent / "shared" for parent in ROOT.parents]
    try:
        common = subprocess.run(["git", "rev-parse", "--path-format=absolute", "--git-common-dir"], cwd=ROOT,
                                capture_output=True, text=True, timeout=10, check=False).stdout.strip()
    except OSError:
        common = ""
    if common:
        candidates += [parent / "shared" for parent in Path(common).parents]
    return next((c for c in candidates if (c / "w3c-sparql-protocol" / "protocol" / "manifest.ttl").is_file()), None)


@dataclass(frozen=True)
class Request:
    method: str
    path: str  # as the manifest writes it, starting with /sparql/
    headers: tuple[tuple[str, str], ...]
    body: bytes | None
    statuses: frozenset[int]  # the acceptable status classes: 2, 3, 4, 5
    format: str | None  # "boolean", "tabular", "RDF"
    boolean: bool | None

    def header(self, name: str) -> str:
        return next((v for k, v in self.headers if k.lower() == name.lower()), "")

    @property
    def is_update(self) -> bool:
        """An update operation: sent as application/sparql-update, or with an ``update`` parameter in the query
        string or the form body."""
        kind = self.header("content-type").split(";")[0].strip().lower()
        if kind == "application/sparql-update":
            return True
        query = parse_qs(urlsplit(self.path).query)
        form = parse_qs(self.body.decode("utf-8", "replace")) if self.body and kind != "application/sparql-query" else {}
        return "update" in query or "update" in form

    def at(self, endpoint_path: str) -> str:
        """The request's path on the endpoint under test (``/sparql/`` is the manifest's placeholder)."""
        assert self.path.startswith("/sparql/"), self.path
        return endpoint_path + self.path[len("/sparql/"):]


@dataclass(frozen=True)
class ProtocolTest:
    name: str
    title: str
    graphs: tuple[tuple[str, Path], ...]  # (graph IRI, file) of each ut:graphData
    requests: tuple[Request, ...] = field(default=())

    @property
    def updates(self) -> bool:
        """A test of the update operation: a read-only endpoint must refuse its update requests."""
        return any(r.is_update for r in self.requests)


def _need(graph: Graph, subject: Node, predicate: URIRef) -> Node:
    """The one value the manifest must give."""
    value = graph.value(subject, predicate)
    assert value is not None, f"the manifest gives no {predicate} for {subject}"
    return value


def _status_classes(graph: Graph, response: Node) -> frozenset[int]:
    classes = set()
    for code in graph.objects(response, MF.expectedStatus):
        name = str(code).rsplit("#", 1)[-1]  # StatusCode2xx
        classes.add(int(name[len("StatusCode")]))
    return frozenset(classes)


def protocol_tests(folder: Path) -> list[ProtocolTest]:
    """Every entry of the protocol manifest, in its order."""
    manifest = folder / "protocol" / "manifest.ttl"
    graph = Graph().parse(manifest, format="turtle", publicID=manifest.resolve().as_uri())
    tests = []
    (head,) = list(graph.subjects(RDF.type, MF.Manifest))
    for entry in Collection(graph, _need(graph, head, MF.entries)):
        datasets = []
        for data in graph.objects(entry, UT.graphData):
            file = Path(str(graph.value(data, UT.graph)).removeprefix("file://"))
            datasets.append((str(graph.value(data, RDFS.label)), file))
        requests = []
        action = _need(graph, entry, MF.action)
        for request in Collection(graph, _need(graph, action, HT.requests)):
            headers = []
            listed = graph.value(request, HT.headers)
            for header in Collection(graph, listed) if listed is not None else []:
                headers.append((str(graph.value(header, HT.fieldName)), str(graph.value(header, HT.fieldValue))))
            body_node = graph.value(request, HT.body)
            body = None
            if body_node is not None:
                encoding = str(graph.value(body_node, CNT.characterEncoding) or "UTF-8")
                body = str(graph.value(body_node, CNT.chars)).encode(encoding.lower())
            response = _need(graph, request, HT.resp)
            expected = graph.value(response, MF.expectedBoolean)
            fmt = graph.value(response, MF.expectedFormat)
            requests.append(Request(str(graph.value(request, HT.methodName)), str(graph.value(request, HT.absolutePath)),
                                    tuple(headers), body, _status_classes(graph, response),
                                    str(fmt) if fmt is not None else None,
                                    bool(expected.toPython()) if isinstance(expected, Literal) else None))
        name = str(entry).rsplit("#", 1)[-1]
        tests.append(ProtocolTest(name, str(graph.value(entry, MF.name)), tuple(sorted(datasets)), tuple(requests)))
    return tests


def service_description_tests(folder: Path) -> list[tuple[str, str]]:
    """(name, title) of each entry of the Service Description manifest, in its order."""
    manifest = folder / "service-description" / "manifest.ttl"
    graph = Graph().parse(manifest, format="turtle", publicID=manifest.resolve().as_uri())
    (head,) = list(graph.subjects(RDF.type, MF.Manifest))
    return [(str(e).rsplit("#", 1)[-1], str(graph.value(e, MF.name))) for e in Collection(graph, _need(graph, head, MF.entries))]
