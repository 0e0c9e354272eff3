"""Stage 7 — publish a build into a triple store over the W3C Graph Store Protocol.

Each named graph of the build (articles, registry, claims, provenance, and the
ontology) is replaced whole with one ``PUT``, so a re-load never duplicates and
a failed request leaves that graph as it was.  Every payload is serialized and
parsed back locally before it is sent (some servers empty the target graph when
a PUT fails on bad syntax).  A manifest graph in the store records the content
hash of every graph loaded, so only graphs that changed are sent again.  After
loading, the triples of every graph are counted with SPARQL and compared with
what was sent.
"""

from __future__ import annotations

import hashlib
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import vocab
from .errors import StoreError

ONTOLOGY_GRAPH = "https://w3id.org/kgpub/ontology"
MANIFEST_GRAPH = "https://w3id.org/kgpub/load-manifest"
FLAVORS = ("fuseki", "graphdb", "virtuoso", "oxigraph", "gsp")
RETRIES = 4


@dataclass(frozen=True)
class Endpoints:
    """Where a store takes graphs (Graph Store Protocol) and answers queries."""

    flavor: str
    graph_store: str
    query: str
    graph_param: str = "graph"

    def graph_url(self, graph: str | None) -> str:
        if graph is None:
            return f"{self.graph_store}?default"
        return f"{self.graph_store}?{urllib.parse.urlencode({self.graph_param: graph})}"


def guess_flavor(url: str) -> str | None:
    """The store behind ``url`` when its layout says so unambiguously."""
    parsed = urllib.parse.urlparse(url)
    if "/repositories/" in parsed.path:
        return "graphdb"
    if parsed.path.rstrip("/").endswith(("/sparql", "/sparql-graph-crud", "/sparql-graph-crud-auth")) or parsed.port == 8890:
        return "virtuoso"
    if parsed.port == 3030:
        return "fuseki"
    if parsed.port == 7878:
        return "oxigraph"
    return None


def endpoints(url: str, flavor: str | None = None, *, graph_store: str | None = None,
              query_endpoint: str | None = None, authenticated: bool = False) -> Endpoints:
    """The URLs of each flavor's documented layout, from the base URL a user knows."""
    flavor = flavor or ("gsp" if graph_store else guess_flavor(url))
    if flavor is None:
        raise StoreError(f"{url}: cannot tell which store this is; give --flavor ({', '.join(FLAVORS)})")
    base = url.rstrip("/")
    if flavor == "fuseki":  # BASE/DATASET
        return Endpoints(flavor, f"{base}/data", f"{base}/sparql")
    if flavor == "graphdb":  # BASE/repositories/REPO
        return Endpoints(flavor, f"{base}/rdf-graphs/service", base)
    if flavor == "virtuoso":
        root = base.rsplit("/sparql", 1)[0] if "/sparql" in base else base
        crud = "/sparql-graph-crud-auth" if authenticated else "/sparql-graph-crud"
        return Endpoints(flavor, root + crud, root + "/sparql", graph_param="graph-uri")
    if flavor == "oxigraph":
        return Endpoints(flavor, f"{base}/store", f"{base}/query")
    if flavor == "gsp":
        if not graph_store or not query_endpoint:
            raise StoreError("--flavor gsp needs --graph-store URL and --query-endpoint URL")
        return Endpoints(flavor, graph_store, query_endpoint)
    raise StoreError(f"unknown flavor {flavor!r}; one of {', '.join(FLAVORS)}")


# --------------------------------------------------------------------------- what to send


@dataclass
class GraphPlan:
    """One graph to load: its IRI (None for the default graph), payload and content hash."""

    iri: str | None
    payload: bytes
    triples: int
    sha256: str
    action: str = "send"  # send | unchanged
    in_store: int | None = None
    status: str = ""


def _build_graphs(build: Path, target: str | None, default_graph: bool) -> dict[str | None, list[Any]]:
    import pyoxigraph as ox

    trig, ontology = build / "kg.trig", build / "ontology.ttl"
    if not trig.is_file():
        raise StoreError(f"{build}: no kg.trig here; run 'kgpub build' first or give --data DIR")
    graphs: dict[str | None, list[Any]] = {}
    for quad in ox.parse(path=str(trig), format=ox.RdfFormat.TRIG):
        graphs.setdefault(quad.graph_name.value, []).append(quad.triple)
    if ontology.is_file():
        graphs[ONTOLOGY_GRAPH] = [q.triple for q in ox.parse(path=str(ontology), format=ox.RdfFormat.TURTLE)]
    if target is None and not default_graph:
        return graphs
    merged: list[Any] = []
    for triples in graphs.values():
        merged.extend(triples)
    return {None if default_graph else target: merged}


def _payload(triples: list[Any]) -> tuple[bytes, str, int]:
    """The payload for ``triples`` (checked by parsing it back) and its hash.

    N-Triples, sent as Turtle (of which it is a subset): no prefixed names, so
    no local-name escapes such as ``id:article\\/x``, which Virtuoso stores with
    the backslash kept, silently changing the IRIs.
    """
    import pyoxigraph as ox

    lines = sorted(set(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode("utf-8").splitlines()))
    payload = ("\n".join(lines) + "\n").encode("utf-8") if lines else b""
    try:
        again = list(ox.parse(payload, format=ox.RdfFormat.TURTLE))
    except SyntaxError as exc:  # never expected: a local bug must not empty a remote graph
        raise StoreError(f"refusing to send a payload that does not parse back: {exc}") from None
    if len(set(again)) != len(lines):
        raise StoreError("refusing to send a payload that does not round-trip")
    return payload, hashlib.sha256(payload).hexdigest(), len(lines)


def _chunks(triples: list[Any], size: int | None) -> list[list[Any]]:
    if not size or len(triples) <= size:
        return [triples]
    return [triples[i:i + size] for i in range(0, len(triples), size)]


# --------------------------------------------------------------------------- HTTP


@dataclass
class Client:
    """HTTP with timeouts, bounded retries with exponential backoff, and credentials never echoed."""

    user: str | None = None
    password: str | None = None
    digest: bool = False
    verify: bool = True
    timeout: float = 30.0
    backoff: float = 0.5
    session: Any = field(default=None, repr=False)

    def __post_init__(self) -> None:
        import requests

        self.session = requests.Session()
        self.session.verify = self.verify
        if self.user:
            from requests.auth import HTTPBasicAuth, HTTPDigestAuth

            auth = HTTPDigestAuth if self.digest else HTTPBasicAuth
            self.session.auth = auth(self.user, self.password or "")

    def request(self, method: str, url: str, **kwargs: Any) -> Any:
        import requests

        last = ""
        for attempt in range(RETRIES):
            try:
                response = self.session.request(method, url, timeout=(min(self.timeout, 10.0), self.timeout), **kwargs)
            except requests.ConnectionError as exc:
                last = f"cannot connect: {_reason(exc)}"
            except requests.Timeout:
                last = f"no answer within {self.timeout:g} s"
            else:
                if response.status_code < 500:
                    return response
                last = f"HTTP {response.status_code} {response.reason}: {_excerpt(response.text)}"
            if attempt < RETRIES - 1:
                time.sleep(self.backoff * 2 ** attempt)
        raise StoreError(f"{_safe(url)}: {last} (after {RETRIES} attempts)")


def _reason(exc: Exception) -> str:
    text = str(exc)
    for marker in ("Connection refused", "Name or service not known", "timed out", "Connection reset"):
        if marker in text:
            return marker
    return _excerpt(text, 160)


def _excerpt(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "…"


def _safe(url: str) -> str:
    """``url`` without any user:password part."""
    parsed = urllib.parse.urlsplit(url)
    if parsed.password is None and parsed.username is None:
        return url
    host = parsed.hostname or ""
    if parsed.port:
        host += f":{parsed.port}"
    return urllib.parse.urlunsplit((parsed.scheme, host, parsed.path, parsed.query, parsed.fragment))


def _check(response: Any, what: str) -> None:
    if response.status_code in (200, 201, 204):
        return
    if response.status_code == 401:
        raise StoreError(f"{_safe(response.url)}: HTTP 401 Unauthorized while {what}: check --user and KGPUB_PASSWORD")
    raise StoreError(f"{_safe(response.url)}: HTTP {response.status_code} {response.reason} while {what}: "
                     f"{_excerpt(response.text)}")


def _select(client: Client, ends: Endpoints, query: str) -> list[dict[str, Any]]:
    response = client.request("POST", ends.query, data={"query": query},
                              headers={"Accept": "application/sparql-results+json"})
    _check(response, "querying")
    try:
        return list(response.json()["results"]["bindings"])
    except (ValueError, KeyError) as exc:
        raise StoreError(f"{_safe(ends.query)}: malformed SPARQL results: {_excerpt(str(exc))}") from None


def _count(client: Client, ends: Endpoints, graph: str | None) -> int:
    pattern = "{ ?s ?p ?o }" if graph is None else f"{{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    rows = _select(client, ends, f"SELECT (COUNT(*) AS ?n) WHERE {pattern}")
    return int(rows[0]["n"]["value"]) if rows else 0


def _manifest(client: Client, ends: Endpoints) -> dict[str, str]:
    rows = _select(client, ends, f"SELECT ?g ?h WHERE {{ GRAPH <{MANIFEST_GRAPH}> {{ ?g <{vocab.KG}contentSha256> ?h }} }}")
    return {row["g"]["value"]: row["h"]["value"] for row in rows}


def _manifest_payload(hashes: dict[str, str]) -> bytes:
    lines = sorted(f'<{g}> <{vocab.KG}contentSha256> "{h}" .\n' for g, h in hashes.items())
    return "".join(lines).encode("utf-8")


# --------------------------------------------------------------------------- load


@dataclass
class LoadResult:
    """What a load did, graph by graph; ``ok`` is False on any count mismatch."""

    endpoint: str
    flavor: str
    graphs: list[GraphPlan]
    dry_run: bool
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return all(g.status in ("loaded", "unchanged", "planned") for g in self.graphs)

    @property
    def sent(self) -> list[GraphPlan]:
        return [g for g in self.graphs if g.action == "send"]

    def table(self) -> str:
        name = {None: "(default graph)"}
        rows = [("graph", "sent", "in store", "status")]
        for g in self.graphs:
            sent = str(g.triples) if g.action == "send" else "-"
            rows.append((name.get(g.iri, g.iri or ""), sent, "" if g.in_store is None else str(g.in_store), g.status))
        widths = [max(len(r[i]) for r in rows) for i in range(4)]
        lines = ["  ".join(c.ljust(w) if i in (0, 3) else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))).rstrip()
                 for r in rows]
        sent = self.sent
        triples = sum(g.triples for g in sent)
        rate = f", {triples / self.seconds:,.0f} triples/s" if self.seconds and triples and not self.dry_run else ""
        verb = "would send" if self.dry_run else "sent"
        lines.append(f"{verb} {len(sent)} of {len(self.graphs)} graphs ({triples} triples) to {self.endpoint} "
                     f"[{self.flavor}]{rate}")
        return "\n".join(lines)

    def plan(self, ends: Endpoints) -> str:
        lines = []
        for g in self.graphs:
            method = "PUT" if g.action == "send" else "skip (unchanged)"
            lines.append(f"{method:<17} {g.triples:>8} triples {len(g.payload):>10} bytes  {ends.graph_url(g.iri)}")
        return "\n".join(lines)


def load(build: Path, endpoint: str, *, flavor: str | None = None, graph: str | None = None,
         default_graph: bool = False, mode: str = "replace", force: bool = False, dry_run: bool = False,
         chunk_triples: int | None = None, graph_store: str | None = None, query_endpoint: str | None = None,
         client: Client | None = None, progress: Callable[[int, int], None] | None = None,
         after_graph: Callable[[GraphPlan], None] | None = None) -> LoadResult:
    """Load the build in ``build`` into the store at ``endpoint`` and verify what landed."""
    client = client or Client()
    ends = endpoints(endpoint, flavor, graph_store=graph_store, query_endpoint=query_endpoint,
                     authenticated=bool(client.user))
    graphs = _build_graphs(Path(build), graph, default_graph)
    plans = []
    triples_by_graph: dict[str | None, list[Any]] = {}
    for iri in sorted(graphs, key=lambda g: g or ""):
        payload, digest, count = _payload(graphs[iri])
        plans.append(GraphPlan(iri, payload, count, digest))
        triples_by_graph[iri] = graphs[iri]
    known = {} if force or mode == "append" else _manifest(client, ends)
    for plan in plans:
        if plan.iri is not None and known.get(plan.iri) == plan.sha256:
            plan.action, plan.status = "unchanged", "unchanged"
    result = LoadResult(endpoint, ends.flavor, plans, dry_run)
    if dry_run:
        for plan in plans:
            plan.status = "planned" if plan.action == "send" else "unchanged"
        return result
    started = time.perf_counter()
    loaded: list[str] = []
    to_send = [p for p in plans if p.action == "send"]
    hashes = dict(known)
    for n, plan in enumerate(to_send, start=1):
        try:
            _send(client, ends, plan, triples_by_graph[plan.iri], mode, chunk_triples)
        except StoreError as exc:
            done = ", ".join(loaded) or "none"
            rest = ", ".join(str(p.iri or "(default graph)") for p in to_send[n - 1:])
            if loaded and mode == "replace":
                try:  # record what did land, so a re-run sends only the rest
                    _put_manifest(client, ends, hashes)
                except StoreError:
                    pass  # the store is gone: a re-run sends those graphs again, still correct
            raise StoreError(f"{exc}; loaded before the failure: {done}; not loaded: {rest}") from None
        loaded.append(str(plan.iri or "(default graph)"))
        if plan.iri is not None:
            hashes[plan.iri] = plan.sha256
        if progress:
            progress(n, len(to_send))
        if after_graph:
            after_graph(plan)
    result.seconds = time.perf_counter() - started
    if mode == "replace" and to_send:
        _put_manifest(client, ends, hashes)
    for plan in plans:
        plan.in_store = _count(client, ends, plan.iri)
        if plan.action == "unchanged":
            plan.status = "unchanged" if plan.in_store == plan.triples else "MISMATCH"
        elif mode == "append":
            plan.status = "loaded" if plan.in_store >= plan.triples else "MISMATCH"
        else:
            plan.status = "loaded" if plan.in_store == plan.triples else "MISMATCH"
    return result


def _send(client: Client, ends: Endpoints, plan: GraphPlan, triples: list[Any], mode: str, chunk: int | None) -> None:
    url = ends.graph_url(plan.iri)
    parts = _chunks(triples, chunk)
    for i, part in enumerate(parts):
        payload = plan.payload if len(parts) == 1 else _payload(part)[0]
        method = "PUT" if mode == "replace" and i == 0 else "POST"
        response = client.request(method, url, data=payload, headers={"Content-Type": "text/turtle; charset=utf-8"})
        _check(response, f"loading {plan.iri or 'the default graph'}")


def _put_manifest(client: Client, ends: Endpoints, hashes: dict[str, str]) -> None:
    response = client.request("PUT", ends.graph_url(MANIFEST_GRAPH), data=_manifest_payload(hashes),
                              headers={"Content-Type": "text/turtle; charset=utf-8"})
    _check(response, "recording the load manifest")


__all__ = ["Client", "Endpoints", "LoadResult", "endpoints", "guess_flavor", "load"]
