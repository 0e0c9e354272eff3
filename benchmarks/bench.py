"""kgpub benchmarks: ratios against a baseline measured in the same run, on the same data.

    python benchmarks/bench.py build [--articles 5000] [--naive-articles 100]
    python benchmarks/bench.py build --sizes 1M,5M,10M [--memory 2GiB]
    python benchmarks/bench.py query [--articles 5000] [--repeat 7] [--rdflib-timeout 120]
    python benchmarks/bench.py load [--articles 5000]
    python benchmarks/bench.py publish [--articles 5000] [--repeat 7]
    python benchmarks/bench.py site [--articles 5000] [--against b723e11] [--rounds 3]

``build``: the same synthetic corpus built by the naive path (rdflib graphs,
pySHACL over the whole graph, rdflib's serializers) and by ``kgpub build``
(parallel mapping, set-based validation, kgpub's writers, the query index), each in a fresh
process so its wall time and peak memory are its own; then a rebuild after
one article changed.  The naive path is measured on a smaller corpus
(``--naive-articles``) because at a million triples it runs for hours; the
table compares triples per second, and kgpub also builds the small corpus so
one ratio is at equal size.  Written to ``benchmarks/results/build.md``.

``build --sizes``: one full build from scratch of each size (``1M``: about a million triples, 4,460 synthetic
articles; ``0.5M``, ``10M`` alike), each in a fresh process, with its wall seconds and its peak memory summed
over the build's processes as PSS (``memory.py``: every 0.2 s, the build and all its descendants), then the
largest / smallest time ratio and a rebuild after one article of the largest changed.  Written to
``benchmarks/results/build-sizes.md``.

``query``: every shipped query on the seed build and on a synthetic build of
about a million triples (benchmarks/synth.py), answered by kgpub's embedded
engine (pyoxigraph with the persistent index) and by rdflib's SPARQL engine on
the same data.  Reports the median warm latency, the first query after a build
(index creation included), and the ratio rdflib / kgpub.  rdflib queries that
exceed the timeout are reported as lower bounds (">").  Results are printed and
written to ``benchmarks/results/query.md`` with a description of the machine.

``load``: ``kgpub load`` from the command line with its default options, of the same synthetic build
into a real Oxigraph server and a real Fuseki (TDB2) on 127.0.0.1, each persisting to disk, against
each store's own bulk loader (``oxigraph load``, Jena's ``tdb2.tdbloader``) on the same statements, in
the same run; then the shipped queries on the loaded Oxigraph; written to ``results/load.md``.

``publish``: on the same synthetic build, ``kgpub serve``'s entity pages (median and 95th percentile
latency) and its SPARQL endpoint against ``oxigraph serve`` on the same triples, every shipped query
POSTed by the same client, interleaved (throughput ratio); then ``kgpub site``: a new site, a rerun,
a rerun after one article changed, each in a fresh process with its peak memory, against a plain loop
writing the same files on the same disk; written to ``results/publish.md``.

``site``: ``kgpub site`` now against ``kgpub site`` at an earlier commit (``--against``; by default the one
whose site of 1.12 M triples took the 50.7 s the pages for people must not exceed), each installed in a
virtual environment of its own, each on its own build of its own synthetic corpus of as many articles,
drawn in turn into fresh folders; written to ``results/site-against.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import kgpub  # noqa: E402
from kgpub.rdf import vocab  # noqa: E402
from kgpub.sparql.shipped import shipped_queries  # noqa: E402

PARAMS = {"entity": "id:e000001"}
SEED_PARAMS = {"entity": "id:mustafa-al-kadhemi"}


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(next(row for row in Path("/proc/meminfo").read_text().splitlines()
                      if row.startswith("MemTotal")).split()[1])
        mem = f", {kb / 2**20:.0f} GiB RAM"
    except (OSError, StopIteration):
        pass
    return f"{cpu}, {os.cpu_count()} cores{mem}, Python {platform.python_version()}, {platform.system()} {platform.release()}"


NAIVE_RUNNER = f"BENCHMARKS = {str(HERE)!r}\n" + r"""
import json, sys, time
from pathlib import Path
started = time.perf_counter()
import pyshacl
from rdflib import Dataset
from kgpub.corpus import reader
from kgpub.shacl import validation
sys.path.insert(0, BENCHMARKS)
import reference  # the naive path, beside this file
corpus, out = Path(sys.argv[1]), Path(sys.argv[2])
loaded = reader.load(corpus)
mapped = reference.anchor(loaded, reference.map_corpus(loaded, "https://w3id.org/kgpub/id/"))
data = mapped.instance_data()
from rdflib import Graph
from kgpub.resources import ontology_file
conforms, _, _ = pyshacl.validate(data, shacl_graph=validation.load_shapes(),
                                  ont_graph=Graph().parse(ontology_file(), format="turtle"),
                                  inference="none", allow_warnings=True, advanced=True)
out.mkdir(parents=True, exist_ok=True)
data.serialize(out / "kg.ttl", format="turtle")
data.serialize(out / "kg.nt", format="nt")
data.serialize(out / "kg.jsonld", format="json-ld")
ds = Dataset()
for iri, graph in mapped.named_graphs():
    named = ds.graph(iri)
    for triple in graph:
        named.add(triple)
ds.serialize(out / "kg.trig", format="trig")
import resource
print(json.dumps({"seconds": time.perf_counter() - started, "triples": len(data),
                  "peak_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""

KGPUB_RUNNER = r"""
import json, sys, time
from pathlib import Path
started = time.perf_counter()
import kgpub
result = kgpub.build(Path(sys.argv[1]), Path(sys.argv[2]), cache=sys.argv[3] == "cache", index=sys.argv[4:] != ["no-index"])
assert result.written, result.summary()
import resource
peak = max(resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
print(json.dumps({"seconds": time.perf_counter() - started, "triples": result.triples, "reused": result.reused,
                  "peak_kib": peak}))
"""


VALIDATE_RUNNER = r"""
import json, sys, time
from pathlib import Path
import kgpub
from kgpub.shacl import validation
build, engine = Path(sys.argv[1]), sys.argv[2]
chunks, origins = validation.read_data([build])
from kgpub.pipeline.stages import ontology_ntriples
from kgpub.resources import ontology_file
chunks.append(ontology_ntriples(ontology_file().read_bytes()))
shapes = validation.load_shapes()
started = time.perf_counter()
if engine == "compiled":
    report = validation.validate_ntriples(chunks, shapes=shapes, origins=origins, threads=2)
else:
    from rdflib import Graph
    sys.path.insert(0, str(Path(kgpub.__file__).resolve().parents[2] / "tests"))
    from shacl_reference import load_ontology, validate_graph
    data = Graph()
    for chunk in chunks[:-1]:
        data.parse(data=chunk, format="nt")
    report = validate_graph(data, shapes=shapes, ontology=load_ontology(), origins=origins, reference=True)
seconds = time.perf_counter() - started
rows = sorted((r.severity, r.focus, r.path or "", r.value or "", r.component, r.source_shape) for r in report.results)
import hashlib, resource
print(json.dumps({"seconds": seconds, "results": len(rows), "digest": hashlib.sha256(repr(rows).encode()).hexdigest(),
                  "triples": sum(c.count(b"\n") for c in chunks), "peak_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


def validate_section(articles: int, naive_articles: int, work: Path) -> list[str]:
    """The compiled validator against pySHACL: identical results on the same (smaller) build, and the rate of
    each, the compiled one at full size (pySHACL would take hours there)."""
    from synth import write_corpus

    out = []
    rows = []
    for size in (naive_articles, articles):
        corpus = work / f"corpus-{size}"
        write_corpus(corpus, size, seed=7)
        built = work / f"build-{size}"
        subprocess.run([sys.executable, "-m", "kgpub", "build", str(corpus), "--out", str(built), "-q",
                        "--no-validate"], check=False, capture_output=True)
        compiled = measured(VALIDATE_RUNNER, str(built), "compiled")
        rows.append(("compiled (kgpub)", size, compiled))
        if size == naive_articles:
            reference = measured(VALIDATE_RUNNER, str(built), "reference")
            rows.append(("pySHACL (reference)", size, reference))
            same = compiled["digest"] == reference["digest"] and compiled["results"] == reference["results"]
            out_same = (f"- Same build ({size} articles, {compiled['triples']:,} triples): identical results on both "
                        f"engines ({compiled['results']} results): **{'yes' if same else 'NO'}**.")
            small = (compiled, reference)
    out += ["| engine | articles | triples | validation s | results | peak RSS GiB | triples/s |", "|---|---:|---:|---:|---:|---:|---:|"]
    for name, size, m in rows:
        out.append(f"| {name} | {size:,} | {m['triples']:,} | {m['seconds']:.2f} | {m['results']:,} | {m['rss']:.2f} | "
                   f"{m['triples'] / m['seconds']:,.0f} |")
    compiled_small, reference_small = small
    big = rows[-1][2]
    out += ["", out_same,
            f"- Same build: pySHACL / compiled = **{reference_small['seconds'] / compiled_small['seconds']:.0f}×**.",
            f"- Rate of the compiled path at {big['triples']:,} triples against pySHACL's rate at "
            f"{reference_small['triples']:,}: **{(big['triples'] / big['seconds']) / (reference_small['triples'] / reference_small['seconds']):.0f}×**.",
            "- Validation only: the data parsed and the shapes loaded before the clock starts. The results compared are "
            "every result of every severity (the synthetic corpus's curation hints and warnings)."]
    return out


def measured(runner: str, *args: str, python: str = sys.executable, sampled: bool = True) -> dict:
    """Run one build in a fresh Python process (``python``: another kgpub's interpreter); its wall time, peak RSS
    and counts, and (``sampled``) its peak memory summed over its processes.

    The files the previous step wrote (a corpus, a build: up to a gigabyte)
    are flushed to disk first, so their writeback is not timed as this build's.  Sampling the memory is not free:
    reading a process's ``smaps_rollup`` walks its mappings under its memory lock (some 80 ms of CPU a sample for
    a site's seven processes at a million triples, two fifths of a core at five samples a second), so a time that
    is compared is measured in a run of its own, ``sampled=False`` (its memory then 0).
    """
    from contextlib import nullcontext

    from memory import PssSampler

    os.sync()
    started = time.perf_counter()
    process = subprocess.Popen([python, "-c", runner, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    sampler = PssSampler(process.pid)
    with sampler if sampled else nullcontext(sampler):
        stdout, stderr = process.communicate()
    wall = time.perf_counter() - started
    if process.returncode != 0:
        raise SystemExit(f"build failed:\n{stderr[-3000:]}")
    out = json.loads(stdout.strip().splitlines()[-1])
    out["wall"] = wall
    out["rss"] = out["peak_kib"] / 2**20  # GiB: the largest of the build process and its workers and writer
    out["pss"] = sampler.peak_gib  # GiB: summed over the build's processes, sampled every 0.2 s
    out["pss_largest"] = sampler.largest_gib
    return out


def measured_apart(runner: str, *args: str, reset: Callable[[], None]) -> dict:
    """:func:`measured` twice on the same inputs: its memory sampled in the first run, then, once ``reset`` has put
    the inputs back as they were, its time in a second run without the sampler; the second's figures with the
    first's memory."""
    sampled = measured(runner, *args)
    reset()
    return {**measured(runner, *args, sampled=False), "pss": sampled["pss"], "pss_largest": sampled["pss_largest"]}


def build_section(articles: int, naive_articles: int, work: Path) -> list[str]:
    from synth import write_corpus

    small, big = work / "small", work / "big"
    write_corpus(small, naive_articles, seed=7)
    write_corpus(big, articles, seed=7)
    naive = measured(NAIVE_RUNNER, str(small), str(work / "naive-out"))
    ours_small = measured(KGPUB_RUNNER, str(small), str(work / "small-out"), "fresh")
    fulls = []
    for _ in range(3):  # three full builds from scratch (this machine's timings vary): their median
        shutil.rmtree(work / "big-out", ignore_errors=True)
        fulls.append(measured(KGPUB_RUNNER, str(big), str(work / "big-out"), "fresh"))
    ours = sorted(fulls, key=lambda r: r["wall"])[1]
    full_walls = ", ".join(f"{r['wall']:.1f}" for r in fulls)
    unindexed = measured(KGPUB_RUNNER, str(big), str(work / "big-out-no-index"), "fresh", "no-index")
    facts_file = sorted(big.rglob("*.facts.yaml"))[articles // 2]
    original = facts_file.read_text()
    rebuilds = []
    for n in range(3):  # three one-article changes in a row (this machine's timings vary): their median
        facts_file.write_text(original.replace("report", "dispatch", 1) if n % 2 == 0 else original)
        rebuilds.append(measured(KGPUB_RUNNER, str(big), str(work / "big-out"), "cache"))
    again = sorted(rebuilds, key=lambda r: r["wall"])[1]
    walls = ", ".join(f"{r['wall']:.2f}" for r in rebuilds)

    def row(label: str, n: int, r: dict) -> str:
        return (f"| {label} | {n:,} | {r['triples']:,} | {r['wall']:.1f} | {r['rss']:.2f} | {r['pss']:.2f} | "
                f"{r['triples'] / r['wall']:,.0f} |")

    rate = lambda r: r["triples"] / r["wall"]  # noqa: E731
    return ["### Build", "",
            "| path | articles | triples | wall s | peak RSS GiB | peak GiB, summed PSS | triples/s |",
            "|---|---:|---:|---:|---:|---:|---:|",
            row("naive (rdflib + pySHACL + rdflib writers)", naive_articles, naive),
            row("kgpub build", naive_articles, ours_small),
            row("kgpub build (median of three)", articles, ours),
            row("kgpub build --no-index (no query index)", articles, unindexed),
            row(f"kgpub build, 1 article changed ({again['reused']:,} reused)", articles, again), "",
            f"- Same corpus ({naive_articles} articles): naive / kgpub = **{naive['wall'] / ours_small['wall']:.1f}×**.",
            f"- Rate at {ours['triples']:,} triples against the naive rate at {naive['triples']:,} "
            f"(the naive path is not run at full size: hours): **{rate(ours) / rate(naive):.1f}×**.",
            f"- Full build of {articles:,} articles ({ours['triples']:,} triples), validation and every output format "
            f"included: **{ours['wall']:.1f} s** with the query index (the default: the first query then answers "
            f"at once), the median of three builds from scratch ({full_walls} s); "
            f"**{unindexed['wall']:.1f} s** without it (`--no-index`).",
            f"- Rebuild after changing one article of {articles:,}: **{again['wall']:.2f} s**, the median of three "
            f"changes in a row ({walls} s; "
            f"full build {ours['wall']:.1f} s). The rebuild patches the previous build: the changed article's "
            "blocks are rewritten in each file (the rest copied from the previous file), its graphs replaced in "
            "the query index, and only its nodes and the nodes it links to validated again.",
            "- Wall times include starting Python and importing kgpub; peak RSS is the largest process "
            "(the build, its workers and its two writers are separate processes); summed PSS is every process "
            "of the build together, a page they share counted once (benchmarks/memory.py, every 0.2 s).", ""]


ARTICLES_PER_MILLION = 4460  # synth.py's articles per million triples (5,000 articles: 1.12 M)


def parse_size(text: str) -> tuple[str, int]:
    """A size of the command line (``1M``, ``0.5M``, ``10M``, or a number of articles) and its articles."""
    text = text.strip()
    if text.upper().endswith("M"):
        return text.upper(), max(1, round(float(text[:-1]) * ARTICLES_PER_MILLION))
    return f"{int(text):,} articles", int(text)


def sizes_section(sizes: list[str], work: Path) -> list[str]:
    """One full build from scratch of each size, its wall time and summed PSS; then a one-article rebuild.

    Each time is measured without sampling the memory, and each build's memory in one more build from scratch of
    its own (see :func:`measured`: the sampler's cost grows with the memory it reads, so it would weigh more on the
    larger builds' times and on their ratio)."""
    from synth import write_corpus

    rows, measured_runs = [], []
    for size in sizes:
        label, articles = parse_size(size)
        corpus, out = work / f"corpus-{label}", work / f"out-{label}"
        write_corpus(corpus, articles, seed=7)
        run = measured_apart(KGPUB_RUNNER, str(corpus), str(out), "fresh", reset=lambda: shutil.rmtree(out))
        print(f"{label}: {run['triples']:,} triples, {run['wall']:.1f} s, {run['pss']:.2f} GiB summed PSS",
              file=sys.stderr)
        measured_runs.append((label, articles, run))
        rows.append(f"| {label} | {articles:,} | {run['triples']:,} | {run['wall']:.1f} | {run['pss']:.2f} | "
                    f"{run['pss_largest']:.2f} | {run['triples'] / run['wall']:,.0f} |")
        if size != sizes[-1]:
            shutil.rmtree(corpus, ignore_errors=True)
            shutil.rmtree(out, ignore_errors=True)
    (small_label, _, small), (big_label, big_articles, big) = measured_runs[0], measured_runs[-1]
    facts_file = sorted((work / f"corpus-{big_label}").rglob("*.facts.yaml"))[big_articles // 2]
    facts_file.write_text(facts_file.read_text().replace("report", "dispatch", 1))
    big_corpus, big_out, kept = work / f"corpus-{big_label}", work / f"out-{big_label}", work / "out-kept"
    shutil.copytree(big_out, kept, symlinks=True)  # the build before the change, for the same rebuild once more

    def put_back() -> None:
        shutil.rmtree(big_out)
        os.rename(kept, big_out)

    again = measured_apart(KGPUB_RUNNER, str(big_corpus), str(big_out), "cache", reset=put_back)
    time_ratio = big["wall"] / small["wall"]
    data_ratio = big["triples"] / small["triples"]
    return ["### Build at several sizes", "",
            "| size | articles | triples | wall s | peak GiB, summed PSS | largest process GiB (PSS) | triples/s |",
            "|---|---:|---:|---:|---:|---:|---:|", *rows,
            f"| {big_label}, 1 article changed ({again['reused']:,} reused) | {big_articles:,} | {again['triples']:,} "
            f"| {again['wall']:.2f} | {again['pss']:.2f} | {again['pss_largest']:.2f} | |", "",
            f"- {big_label} / {small_label}: **{time_ratio:.2f}×** the time for {data_ratio:.2f}× the triples.",
            "- Peak memory is the proportional set size summed over the build's process and all its descendants "
            "(article workers, forked writers), sampled every 0.2 s from /proc/PID/smaps_rollup "
            "(benchmarks/memory.py): a page the forked processes share counts once. The largest process's PSS "
            "is beside it. It is measured in a build of its own: the times are of builds run without the sampler, "
            "whose reads cost CPU in proportion to the memory read.",
            "- Wall times include starting Python and importing kgpub; each build is one fresh process, the query "
            "index included.", ""]


def build(corpus: Path, out: Path, validate: bool = False) -> tuple[float, int]:
    """A build without the query index (the query benchmark measures its creation separately)."""
    started = time.perf_counter()
    result = kgpub.build(corpus, out, validate=validate, index=False)
    return time.perf_counter() - started, result.triples


def kgpub_latencies(out: Path, params: dict[str, str], repeat: int) -> tuple[float, dict[str, float], dict[str, int]]:
    """First query after the build (index creation included), then warm medians per shipped query."""
    shutil.rmtree(out / ".index", ignore_errors=True)
    started = time.perf_counter()
    kgpub.query("SELECT (COUNT(*) AS ?n) WHERE { ?s a kg:Event }", out)
    first = time.perf_counter() - started
    medians, rows = {}, {}
    for q in shipped_queries():
        values = {p.name: params[p.name] for p in q.params}
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            result = kgpub.query(q.name, out, params=values)
            times.append(time.perf_counter() - started)
        medians[q.name] = statistics.median(times)
        rows[q.name] = len(result.rows)
    return first, medians, rows


RDFLIB_RUNNER = r"""
import json, signal, sys, time
from rdflib import Graph
from rdflib.plugins.sparql import prepareQuery
data, ontology, timeout, queries = sys.argv[1], sys.argv[2], int(sys.argv[3]), json.loads(sys.argv[4])
started = time.perf_counter()
g = Graph()
g.parse(data, format="nt")
g.parse(ontology, format="turtle")
out = {"load": time.perf_counter() - started, "queries": {}}
class Timeout(Exception):
    pass
def alarm(signum, frame):
    raise Timeout()
signal.signal(signal.SIGALRM, alarm)
for name, text, ns, bindings in queries:
    runs = []
    for _ in range(2):  # cold, then warm
        started = time.perf_counter()
        signal.alarm(timeout)
        try:
            q = prepareQuery(text, initNs=ns)
            n = len(list(g.query(q, initBindings={k: __import__("rdflib").URIRef(v) for k, v in bindings.items()})))
            signal.alarm(0)
            runs.append([time.perf_counter() - started, n])
        except Timeout:
            runs.append([None, None])
            break
    out["queries"][name] = runs
print(json.dumps(out))
"""


def rdflib_latencies(out: Path, params: dict[str, str], timeout: int, base: str) -> dict:
    prefixes = {**vocab.PREFIXES, "id": base}
    queries = []
    for q in shipped_queries():
        bindings = {p.name: prefixes["id"] + params[p.name].split(":", 1)[1] for p in q.params}
        queries.append([q.name, q.text, prefixes, bindings])
    run = subprocess.run([sys.executable, "-c", RDFLIB_RUNNER, str(out / "kg.nt"), str(out / "ontology.ttl"),
                          str(timeout), json.dumps(queries)], capture_output=True, text=True, check=True)
    return json.loads(run.stdout)


def fmt(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    return f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def indexed_build(corpus: Path, out: Path) -> tuple[float, float, float]:
    """Build time with --no-index and with the index (both rebuilds with every article cached), and the first query after."""
    build(corpus, out, validate=True)  # fills the article cache
    plain, _ = build(corpus, out, validate=True)
    started = time.perf_counter()
    kgpub.build(corpus, out, index=True)
    with_index = time.perf_counter() - started
    started = time.perf_counter()
    kgpub.query("SELECT (COUNT(*) AS ?n) WHERE { ?s a kg:Event }", out)
    return plain, with_index, time.perf_counter() - started


def query_section(label: str, out: Path, params: dict[str, str], repeat: int, timeout: int, base: str,
                  corpus: Path | None = None) -> list[str]:
    indexed = indexed_build(corpus, out.with_name(out.name + "-indexed")) if corpus is not None else None
    first, medians, rows = kgpub_latencies(out, params, repeat)
    baseline = rdflib_latencies(out, params, timeout, base)
    lines = [f"### {label}", "",
             f"First query after a `--no-index` build (index creation included): **{fmt(first)}**; "
             f"rdflib needs {fmt(baseline['load'])} to parse the same data before its first query.", ""]
    if indexed is not None:
        plain, with_index, after = indexed
        lines += [f"`kgpub build` makes the index while it validates (the default): a rebuild takes {fmt(with_index)} "
                  f"instead of {fmt(plain)} with `--no-index` (both with every article cached), and the first query "
                  f"after it **{fmt(after)}**.", ""]
    lines += ["| query | rows | kgpub warm median | rdflib cold | rdflib warm | rdflib / kgpub (warm) |",
              "|---|---:|---:|---:|---:|---:|"]
    total_ours = total_theirs = 0.0
    bound = False
    for name, ours in medians.items():
        runs = baseline["queries"][name]
        cold = runs[0][0]
        warm = runs[1][0] if len(runs) > 1 else None
        theirs = warm if warm is not None else (cold if cold is not None else timeout)
        lower = warm is None
        bound |= lower
        total_ours += ours
        total_theirs += theirs
        ratio = f"{'>' if lower else ''}{theirs / ours:.0f}×"
        lines.append(f"| {name} | {rows[name]} | {fmt(ours)} | {fmt(cold) if cold else f'> {timeout} s'} | "
                     f"{fmt(warm) if warm else '—'} | {ratio} |")
    lines += ["", f"All shipped queries together: kgpub {fmt(total_ours)}, rdflib {'>' if bound else ''}{fmt(total_theirs)}: "
                  f"**{'>' if bound else ''}{total_theirs / total_ours:.0f}× faster**.", ""]
    return lines


def _same_quads(out: Path, target: Path) -> int:
    """What ``kgpub load`` puts in a store whose default graph is its own (every graph of the build and the
    default graph's copy), as one N-Quads file for the bulk loaders: the same data; its statement count."""
    from kgpub import stores

    graphs = stores._build_payloads(out, None, False, default_copy=True)
    with target.open("wb") as file:
        for iri, graph in graphs.items():
            file.write(stores._as_quads(stores.GraphPlan(iri, graph.payload, graph.triples, graph.sha256)))
    return sum(graph.triples for graph in graphs.values())


def _cli_load(url: str, flavor: str, out: Path, *options: str) -> tuple[float, str]:
    """``kgpub load`` from the command line with its default options (and ``options``): wall seconds and its
    last line."""
    started = time.perf_counter()
    run = subprocess.run([sys.executable, "-m", "kgpub", "load", url, "--flavor", flavor, "--data", str(out),
                          *options], capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    assert run.returncode == 0, run.stderr[-3000:]
    return seconds, run.stdout.splitlines()[-1]


def _jena_tool(tool: str, *args: str) -> float:
    from servers import jena_home

    home = jena_home()
    env = {**os.environ, "JENA_HOME": str(home), "JVM_ARGS": "-Xmx1g"}
    started = time.perf_counter()
    subprocess.run([str(home / "bin" / tool), *args], check=True, capture_output=True, env=env)
    return time.perf_counter() - started


#: Seconds a shipped query may take in the load benchmark's comparison: on a machine shared with other work the
#: default minute is not enough for the largest, and the run would stop after the loads were measured.
QUERY_SECONDS = 600.0


def load_section(out: Path, triples: int, work: Path, queries_too: bool = True) -> list[str]:
    """``kgpub load`` from the command line, default options, into Oxigraph and Fuseki (each persisting to
    disk, as their bulk loaders do), against each store's own bulk loader on the same quads, in this run."""
    sys.path.insert(0, str(ROOT / "tests"))
    from servers import FUSEKI_VERSION, oxigraph_binary, start_fuseki, start_oxigraph, stop

    from kgpub.sparql.shipped import shipped_queries

    quads = work / "same.nq"
    count = _same_quads(out, quads)
    version = subprocess.run([oxigraph_binary(), "--version"], capture_output=True, text=True).stdout.strip()
    rows: list[tuple[str, str, float, str]] = []

    server = start_oxigraph(location=work / "oxigraph-served")
    try:
        ours, line = _cli_load(server.url, "oxigraph", out)
        queries = []
        for query in shipped_queries() if queries_too else []:
            params = {p.name: _some_entity(out) for p in query.params}
            local, local_s = _timed(lambda: kgpub.query(query.name, out, params=params, timeout=QUERY_SECONDS))
            remote, remote_s = _timed(lambda: kgpub.query(query.name, endpoint=server.url + "/query", params=params,
                                                                   timeout=QUERY_SECONDS))
            assert len(remote.rows) == len(local.rows), query.name
            queries.append(f"| {query.name} | {len(local.rows)} | {local_s * 1000:.0f} | {remote_s * 1000:.0f} |")
    finally:
        stop(server.process)
    server = start_oxigraph(location=work / "oxigraph-served-bulk")
    try:  # without a transaction a request: Oxigraph's own bulk loader behind its server
        ours_bulk, line_bulk = _cli_load(server.url, "oxigraph", out, "--no-atomic")
    finally:
        stop(server.process)
    started = time.perf_counter()
    subprocess.run([oxigraph_binary(), "load", "--location", str(work / "oxigraph-bulk"), "--file", str(quads)],
                   check=True, capture_output=True)
    bulk = time.perf_counter() - started
    rows.append((f"{version}", "kgpub load (command line, default options; into `oxigraph serve --location`)",
                 ours, line))
    rows.append((f"{version}", "kgpub load --no-atomic (the same, through the server's bulk loader)",
                 ours_bulk, line_bulk))
    rows.append((f"{version}", "oxigraph load (bulk loader, offline, the same N-Quads)", bulk, ""))

    fuseki = start_fuseki(work / "fuseki", location=work / "fuseki-served")
    try:
        fuseki_ours, fuseki_line = _cli_load(fuseki.url, "fuseki", out)
    finally:
        stop(fuseki.process)
    tdb = _jena_tool("tdb2.tdbloader", "--loc", str(work / "tdb2-bulk"), str(quads))
    fuseki_name = f"Apache Jena Fuseki {FUSEKI_VERSION}"
    rows.append((fuseki_name, "kgpub load (command line, default options; into Fuseki, TDB2 on disk)",
                 fuseki_ours, fuseki_line))
    rows.append((fuseki_name, "tdb2.tdbloader (bulk loader, offline, the same N-Quads)", tdb, ""))

    table = ["| store | loader | statements | seconds | statements/s |", "|---|---|---:|---:|---:|"]
    for store, loader, seconds, _ in rows:
        table.append(f"| {store} | {loader} | {count:,} | {seconds:.1f} | {count / seconds:,.0f} |")
    return ["### Load: kgpub load against each store's bulk loader", "",
            f"The same {count:,} statements each time: the build's {triples:,} triples in 10,004 graphs with the "
            "default graph's copy that a store whose default graph is its own gets (kgpub reads them from the "
            "build's TriG; the bulk loaders from one N-Quads file of exactly those statements). kgpub's time is the "
            "whole command, start to exit: reading the build, asking the store what it holds, sending (graphs the "
            "store does not hold yet as gzip-compressed N-Quads batches of whole graphs, four requests at a time, "
            "each one transaction by default; the default graph's copy, sent in shares and never one transaction, "
            "first and through Oxigraph's bulk loader, `no_transaction`; with `--no-atomic` the named graphs too), "
            "recording the manifest and verifying every graph by the statement count and checksum the store computes "
            "in SPARQL (the default graph's copy by its count and the statements of it no named graph holds). The servers "
            "persist to disk, as the bulk loaders do. Each row is one run, on a machine shared with other work: the "
            "ratio, measured in the same run, is the figure to read.", "",
            *table, "",
            f"kgpub load reaches **{bulk / ours:.2f}×** `oxigraph load`'s speed ({bulk / ours_bulk:.2f}× with "
            f"`--no-atomic`) and **{tdb / fuseki_ours:.2f}×** `tdb2.tdbloader`'s on the same data (bulk loader "
            "seconds / kgpub seconds).", "",
            f"kgpub's own summary lines: `{line}`; `{line_bulk}`; `{fuseki_line}`.", "",
            *(queries_section(queries) if queries_too else [])]


def queries_section(queries: list[str]) -> list[str]:
    """The shipped queries' rows on the loaded Oxigraph against the embedded engine's."""
    return ["### Shipped queries on the loaded store", "",
            "`kgpub query --endpoint` on the loaded Oxigraph (its default graph holds the load's copy of the data "
            "graphs and the ontology, so the query names no dataset) gives the embedded engine's rows; one run "
            "each, warm, the first call of each reading the load manifest too:", "",
            "| query | rows | embedded ms | on the loaded Oxigraph ms |", "|---|---:|---:|---:|", *queries, ""]


def _timed(run):  # type: ignore[no-untyped-def]
    run()  # warm
    started = time.perf_counter()
    value = run()
    return value, time.perf_counter() - started


def _some_entity(out: Path) -> str:
    """The entity taking part in most events, as an IRI, for the queries that take one."""
    rows = kgpub.query("SELECT ?e (COUNT(*) AS ?n) WHERE { ?f kg:agent ?e } GROUP BY ?e ORDER BY DESC(?n) ?e LIMIT 1",
                       out).rows
    return f"<{rows[0]['e']['value']}>"


def identity_section(corpus: Path, seconds: float, triples: int) -> list[str]:
    """What duplicate detection adds: the registry's keys (made once per worker process) and the notes of
    every article's own entities, timed alone (serially, so an upper bound of what two workers add)."""
    from kgpub.corpus import reader
    from kgpub.corpus import identity

    loaded = reader.load(corpus)
    entities = [e for a in loaded.articles for e in a.entities]

    def best(run) -> float:  # type: ignore[no-untyped-def]
        times = []
        for _ in range(5):
            started = time.perf_counter()
            run()
            times.append(time.perf_counter() - started)
        return min(times)

    index = identity.Index(loaded.registry)
    make = best(lambda: identity.Index(loaded.registry))
    every = best(lambda: [index.notes(e) for e in entities])
    one = best(lambda: [index.notes(e) for e in loaded.articles[len(loaded.articles) // 2].entities])
    notes = sum(len(index.notes(e)) for e in entities)
    full = make + every
    return ["### Duplicate detection", "",
            f"Registry: {len(loaded.registry):,} entities; {len(entities):,} article entities checked; "
            f"{notes:,} notes.", "",
            "| step | seconds | against a full build |", "|---|---:|---:|",
            f"| the registry's keys (once per worker) | {make:.3f} | |",
            f"| every article's entities | {every:.3f} | |",
            f"| **added to a full build** (both, serially) | **{full:.3f}** | **{full / seconds:.1%}** of {seconds:.1f} s |",
            f"| **added to a one-article rebuild** (keys + one article) | **{make + one:.4f}** | (target < 0.2 s) |",
            "", f"Full build of the corpus: {seconds:.1f} s, {triples:,} triples, without validation and the query "
                "index (so shorter than a default build, and the share above an upper bound; target: under 10%).", ""]


SITE_RUNNER = r"""
import json, sys, time
from pathlib import Path
started = time.perf_counter()
import kgpub
result = kgpub.site(Path(sys.argv[1]), Path(sys.argv[2]), seeds=Path(sys.argv[3]))
import resource
peak = max(resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
print(json.dumps({"seconds": time.perf_counter() - started, "pages": result.pages, "written": result.written,
                  "drawn": result.drawn, "triples": 0, "peak_kib": peak}))
"""


def _plain_copy(site: Path, target: Path) -> tuple[float, int, int]:
    """The floor under any site generator on this disk: the site's files, read into memory first, written by a
    plain loop (makedirs, open, write) with nothing computed.  Its seconds, files and bytes."""
    files = [(p.relative_to(site), p.read_bytes()) for p in sorted(site.rglob("*")) if p.is_file()]
    os.sync()
    started = time.perf_counter()
    made = set()
    for rel, body in files:
        folder = target / rel.parent
        if folder not in made:
            folder.mkdir(parents=True, exist_ok=True)
            made.add(folder)
        with open(target / rel, "wb") as f:
            f.write(body)
    return time.perf_counter() - started, len(files), sum(len(b) for _, b in files)


def site_section(out: Path, corpus: Path, work: Path) -> list[str]:
    """``kgpub site`` on the synthetic build: new, unchanged, one article changed; against a plain write of the
    same files."""
    site = work / "site"
    fresh = measured(SITE_RUNNER, str(out), str(site), str(corpus))
    floor, files, size = _plain_copy(site, work / "plain")
    shutil.rmtree(work / "plain")
    unchanged = measured(SITE_RUNNER, str(out), str(site), str(corpus))
    facts_file = sorted(corpus.rglob("*.facts.yaml"))[len(list(corpus.rglob("*.facts.yaml"))) // 2]
    facts_file.write_text(facts_file.read_text().replace('label: "', 'label: "Corrected: ', 1))
    kgpub.build(corpus, out)
    changed = measured(SITE_RUNNER, str(out), str(site), str(corpus))
    shm = Path("/dev/shm")
    in_memory = None
    if shm.is_dir():
        target = Path(tempfile.mkdtemp(prefix="kgpub-site-", dir=shm))
        try:
            in_memory = measured(SITE_RUNNER, str(out), str(target / "site"), str(corpus))
        finally:
            shutil.rmtree(target, ignore_errors=True)
    def row(label: str, r: dict) -> str:
        return f"| {label} | {r['pages']:,} | {r['drawn']:,} | {r['written']:,} | {r['wall']:.1f} | {r['rss']:.2f} |"

    rows = [row("new site, on disk", fresh)]
    if in_memory:
        rows.append(row("new site, in memory (tmpfs: the disk left out)", in_memory))
    rows += [row("the same, nothing changed", unchanged), row("after one article changed (and `kgpub build`)", changed),
             f"| plain loop writing the same {files:,} files ({size / 2**20:,.0f} MiB), nothing computed | — | — | "
             f"{files:,} | {floor:.1f} | — |"]
    return ["### kgpub site", "",
            "| run | pages | pages drawn | files written | wall s | peak RSS GiB |", "|---|---:|---:|---:|---:|---:|",
            *rows, "",
            f"- A new site of the build: **{fresh['wall']:.1f} s** on 2 cores (wall time, starting Python included), "
            f"**{fresh['wall'] / floor:.2f}×** the time a plain loop takes to write the same files on the same disk"
            + (f"; {in_memory['wall']:.1f} s when the disk is left out" if in_memory else "") + ".",
            f"- One article changed: {changed['drawn']:,} pages drawn again, {changed['written']:,} files rewritten, "
            f"**{changed['wall']:.1f} s** (the graph is read again and every node a page read is compared with its "
            "digest in the manifest; only the pages that read a changed node are drawn).",
            "- This machine's disk creates small files at a rate that falls as a run goes on (a burst allowance), "
            "so the plain loop is measured in the same run, right after.", ""]


#: The commit whose ``kgpub site`` wrote the 1.12 M-triple site in 50.7 s, the bar issue 29 sets ("no slower than
#: today's"): the simpler pages, before the pages for people.
SITE_BAR = "b723e11"


def site_against_section(against: str, articles: int, work: Path, rounds: int = 3) -> list[str]:
    """``kgpub site`` against the ``kgpub site`` of an earlier commit, in the same run: each commit installed in a
    virtual environment of its own (this one's the checkout), writes its own synthetic corpus of ``articles``
    (its own benchmarks/synth.py) and builds it, then the two draw their sites in turn, ``rounds`` times, each
    into a fresh folder beside the others (none removed before the last: a folder removed just before makes the
    next one's files slower to create on ext4), timed without sampling the memory; one more run of each has its
    memory sampled."""
    import io
    import tarfile

    from synth import write_corpus

    source, venv = work / "against-src", work / "against-venv"
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", against], capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(source, filter="data")
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    theirs = str(venv / "bin" / "python")
    subprocess.run([theirs, "-m", "pip", "install", "--quiet", str(source)], check=True)
    their_corpus, their_build = work / "against-corpus", work / "against-build"
    subprocess.run([theirs, "-c", "import sys; from pathlib import Path; sys.path.insert(0, sys.argv[1]); "
                    "from synth import write_corpus; write_corpus(Path(sys.argv[2]), int(sys.argv[3]), seed=7); "
                    "import kgpub; kgpub.build(Path(sys.argv[2]), Path(sys.argv[4]))",
                    str(source / "benchmarks"), str(their_corpus), str(articles), str(their_build)],
                   check=True, capture_output=True, cwd=work)
    corpus = work / "corpus"
    write_corpus(corpus, articles, seed=7)
    _, triples = build(corpus, work / "synthetic")
    runs: dict[str, list[dict]] = {"theirs": [], "ours": []}
    sides = {"theirs": (their_build, their_corpus, theirs), "ours": (work / "synthetic", corpus, sys.executable)}
    for i in range(rounds):  # timed without sampling the memory (see measured), in turn
        for key, (data, seeds, python) in sides.items():
            runs[key].append(measured(SITE_RUNNER, str(data), str(work / f"{key}-{i}"), str(seeds), python=python,
                                      sampled=False))
    memory = {key: measured(SITE_RUNNER, str(data), str(work / f"{key}-memory"), str(seeds), python=python)["pss"]
              for key, (data, seeds, python) in sides.items()}  # one more run each, its memory sampled

    def size(folder: Path) -> int:
        return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())

    wall = {key: statistics.median(r["wall"] for r in found) for key, found in runs.items()}
    ours, theirs_wall = wall["ours"], wall["theirs"]
    rows = []
    for key, name in (("theirs", f"`kgpub site` at {against}"), ("ours", "`kgpub site` now")):
        walls = " / ".join(f"{r['wall']:.1f}" for r in runs[key])
        first = runs[key][0]
        rows.append(f"| {name} | {first['pages']:,} | {first['written']:,} | {size(work / f'{key}-0') / 2**20:,.0f} | "
                    f"{walls} | {wall[key]:.1f} | {memory[key]:.2f} |")
    return [f"Synthetic build now: {articles} articles, {triples:,} triples (each commit builds its own corpus of as "
            "many articles).", "",
            f"### kgpub site against {against}", "",
            "| site | pages | files | MiB | wall s, each round | median wall s | peak GiB (summed PSS) |",
            "|---|---:|---:|---:|---|---:|---:|",
            *rows, "",
            f"- A new site now: **{ours / theirs_wall:.2f}×** the time {against}'s `kgpub site` takes in the same run "
            f"({ours:.1f} s against {theirs_wall:.1f} s, medians of {rounds} rounds drawn in turn).",
            "- The rounds are timed without sampling the memory (reading each process's `smaps_rollup` five times a "
            "second takes CPU from the processes it reads); the peak memory, summed over the processes of the run, "
            "is measured in one more run of each.", ""]


def _served(args: list[str], url: str) -> subprocess.Popen:
    import requests

    import tempfile

    log = tempfile.TemporaryFile()  # a file, not a pipe nobody reads: kgpub serve logs a line per request
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=log)
    deadline = time.monotonic() + 300
    while True:
        try:
            if requests.get(url, timeout=60).status_code < 500:  # kgpub's front page counts the build first
                return process
        except (requests.ConnectionError, requests.Timeout):
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            log.seek(0)
            raise SystemExit(f"{args[0]} did not start: {log.read().decode(errors='replace')[-2000:]}")
        time.sleep(0.2)


def serve_section(out: Path, work: Path, repeat: int, endpoint: bool = True) -> list[str]:
    """``kgpub serve`` at a million triples: entity pages, and the endpoint against ``oxigraph serve`` on the same
    data (its default graph loaded with the same triples: the data and the ontology), with the same client."""
    import requests

    sys.path.insert(0, str(ROOT / "tests"))
    from servers import free_port, oxigraph_binary, stop

    from kgpub.sparql.prebinding import prebound
    from kgpub.sparql.shipped import resolve_query

    location = work / "oxigraph"
    subprocess.run([oxigraph_binary(), "load", "--location", str(location), "--file", str(out / "kg.nt"),
                    str(out / "ontology.ttl")], check=True, capture_output=True)
    ours_port, theirs_port = free_port(), free_port()
    ours = _served([sys.executable, "-m", "kgpub", "serve", "--data", str(out), "--port", str(ours_port),
                    "--timeout", "600", "--max-rows", "10000000"], f"http://127.0.0.1:{ours_port}/")
    theirs = _served([oxigraph_binary(), "serve-read-only", "--location", str(location), "--bind",
                      f"127.0.0.1:{theirs_port}"], f"http://127.0.0.1:{theirs_port}/")
    client = requests.Session()
    try:
        entities = [r["e"]["value"] for r in kgpub.query(
            "SELECT ?e WHERE { ?e a kg:Agent FILTER (STRSTARTS(STR(?e), STR(id:))) } ORDER BY ?e", out).rows][::25]
        base_path = "/kgpub/id/"

        def page(iri: str, accept: str) -> float:
            started = time.perf_counter()
            answer = client.get(f"http://127.0.0.1:{ours_port}{base_path}{iri.rsplit('/id/', 1)[1]}",
                                headers={"Accept": accept})
            assert answer.status_code == 200, iri
            return time.perf_counter() - started

        def describe(iri: str) -> float:
            started = time.perf_counter()
            answer = client.post(f"http://127.0.0.1:{theirs_port}/query", headers={
                "Content-Type": "application/sparql-query", "Accept": "text/turtle"},
                data=f"CONSTRUCT {{ <{iri}> ?p ?o . ?s ?q <{iri}> }} WHERE {{ {{ <{iri}> ?p ?o }} UNION {{ ?s ?q <{iri}> }} }}")
            assert answer.status_code == 200, answer.text
            return time.perf_counter() - started

        for iri in entities[:20]:  # warm both
            page(iri, "text/html"), describe(iri)
        html_ms = sorted(page(iri, "text/html") * 1000 for iri in entities)
        turtle_ms = sorted(page(iri, "text/turtle") * 1000 for iri in entities)
        describe_ms = sorted(describe(iri) * 1000 for iri in entities)
        prologue = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in {**vocab.PREFIXES, "id": vocab.DEFAULT_BASE}.items())
        entity = _some_entity(out)
        texts = {}
        for query in shipped_queries():
            text, _ = resolve_query(query.name)
            texts[query.name] = prologue + prebound(text, {p.name: entity for p in query.params})
        spent = {"kgpub": {}, "oxigraph": {}}
        rows = {}
        endpoints = {"kgpub": f"http://127.0.0.1:{ours_port}/sparql", "oxigraph": f"http://127.0.0.1:{theirs_port}/query"}

        def ask(server: str, name: str) -> float:
            started = time.perf_counter()
            answer = client.post(endpoints[server], data=texts[name].encode(), headers={
                "Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"})
            assert answer.status_code == 200, (server, name, answer.text[:500])
            n = len(answer.json()["results"]["bindings"])
            assert rows.setdefault(name, n) == n, (server, name, n, rows[name])  # the same rows from both
            return time.perf_counter() - started

        if not endpoint:
            texts = {}
        for name in texts:  # warm both
            ask("kgpub", name), ask("oxigraph", name)
        for _ in range(repeat):
            for name in texts:  # interleaved, so neither server gets the quieter moments
                for server in ("kgpub", "oxigraph"):
                    spent[server].setdefault(name, []).append(ask(server, name))
    finally:
        stop(ours)
        stop(theirs)
    median = statistics.median

    def pct(values: list[float], q: float) -> float:
        return values[min(len(values) - 1, int(q * len(values)))]

    pages = ["### kgpub serve", "",
             f"Entity pages of {len(entities)} actors (every 25th), one client, keep-alive, after 20 warm-up requests:", "",
             "| answer | median ms | 95th percentile ms |", "|---|---:|---:|",
             f"| kgpub serve: HTML page (the actor's page: infobox, facts by kind with quotes, network picture) | "
             f"{median(html_ms):.1f} | {pct(html_ms, 0.95):.1f} |",
             f"| kgpub serve: Turtle by content negotiation | {median(turtle_ms):.1f} | {pct(turtle_ms, 0.95):.1f} |",
             f"| oxigraph serve: CONSTRUCT of the same node's triples (for scale) | {median(describe_ms):.1f} | "
             f"{pct(describe_ms, 0.95):.1f} |", "",
             f"- Entity page: **{median(html_ms):.1f} ms** median (HTML), {median(turtle_ms):.1f} ms (Turtle).", ""]
    if not endpoint:
        return pages + ["The SPARQL endpoints were not compared in this run (`--no-endpoint`).", ""]
    total = {server: sum(sum(v) for v in spent[server].values()) for server in spent}
    count = repeat * len(texts)
    ratio = (count / total["kgpub"]) / (count / total["oxigraph"])
    query_rows = [f"| {name} | {rows[name]:,} | {median(spent['kgpub'][name]) * 1000:.1f} | "
                  f"{median(spent['oxigraph'][name]) * 1000:.1f} | "
                  f"{median(spent['oxigraph'][name]) / median(spent['kgpub'][name]):.2f} |" for name in texts]

    return [*pages[:-2],
            f"SPARQL endpoints: every shipped query ({'entity ' + entity + ' where one is taken'}), the same text "
            f"(prefixes declared) POSTed by the same client, {repeat} rounds interleaved after a warm-up; both "
            "return every row (kgpub serve with `--max-rows 10000000`), and the row counts are checked equal:", "",
            "| query | rows | kgpub serve median ms | oxigraph serve median ms | throughput kgpub / oxigraph |",
            "|---|---:|---:|---:|---:|", *query_rows, "",
            pages[-2],
            f"- Endpoint throughput on the shipped queries: kgpub serve {count / total['kgpub']:.2f} queries/s, "
            f"oxigraph serve {count / total['oxigraph']:.2f} queries/s: **{ratio:.2f}×** oxigraph's. kgpub runs "
            "each query in a child process with a time and memory limit, and reads the answer back to hold it to "
            "`--max-rows` (a larger answer is refused, never cut); oxigraph serve runs it in its own thread.", ""]


def publish(report: list[str], path: Path) -> None:
    """Print the report and write it as Markdown under benchmarks/results/."""
    text = "\n".join(report) + "\n"
    print(text)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def written(title: str, command: str, section: Callable[[], list[str]], path: Path, work: Path) -> None:
    """A report headed by its title, the machine and the command (``bench.py`` and ``command``), the lines
    ``section`` measures, published as ``path``; the work folder removed whatever happens."""
    try:
        publish([f"# {title}", "", f"Machine: {machine()}", "", f"Command: `python benchmarks/bench.py {command}`", "",
                 *section()], path)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def diff_section(corpus: Path, out: Path, articles: int, triples: int, work: Path) -> list[str]:
    """kgpub diff between the synthetic build and one with 1 % of its articles changed (half corrected, half
    deleted), against parsing both builds' TriG (the least a diff that reads whole graphs does); and the
    changeset applied to an Oxigraph store holding the first build, compared with a fresh load of the second."""
    import pyoxigraph as ox

    second = Path(shutil.copytree(corpus, work / "corpus-2"))
    corrected = deleted = 0
    for i in range(0, articles, 100):
        facts = second / "articles" / f"{i // 1000:03d}" / f"a{i:06d}.facts.yaml"
        if i % 200 == 0:
            facts.unlink()
            facts.with_name(f"a{i:06d}.txt").unlink()
            deleted += 1
        else:
            facts.write_text(facts.read_text().replace('label: "', 'label: "Corrected: ', 1))
            corrected += 1
    other = work / "synthetic-2"
    build(second, other)
    def once(run):  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        value = run()
        return time.perf_counter() - started, value

    once(lambda: [b.joinpath("kg.trig").read_bytes() for b in (out, other)])  # both files in the page cache
    diffed, result = once(lambda: kgpub.diff(out, other))
    changelog, _ = once(result.text)
    made, update = once(result.sparql_update)
    parsed, _ = once(lambda: [sum(1 for _ in ox.parse(path=str(b / "kg.trig"), format=ox.RdfFormat.TRIG))
                              for b in (out, other)])
    store, fresh = ox.Store(), ox.Store()
    store.bulk_load(path=str(out / "kg.trig"), format=ox.RdfFormat.TRIG)
    fresh.bulk_load(path=str(other / "kg.trig"), format=ox.RdfFormat.TRIG)
    applied, _ = once(lambda: store.update(update))

    def dump(s: ox.Store) -> list[bytes]:
        return sorted(s.dump(format=ox.RdfFormat.N_QUADS).splitlines())

    same = dump(store) == dump(fresh)
    counts = result.counts()
    return [f"Second build: {corrected} articles corrected (an event's label), {deleted} deleted, of {articles}.", "",
            "| step | seconds | vs parsing both TriG files |", "| --- | ---: | ---: |",
            f"| kgpub diff (graphs hashed, changed ones parsed, facts grouped) | {diffed:.2f} | {diffed / parsed:.2f} |",
            f"| changelog text | {changelog:.2f} | |",
            f"| SPARQL Update changeset ({len(update):,} bytes) | {made:.2f} | |",
            f"| parse both kg.trig with pyoxigraph (baseline) | {parsed:.2f} | 1.00 |",
            f"| changeset applied to Oxigraph holding the first build | {applied:.2f} | |", "",
            f"Facts: {counts['changed']} corrected, {counts['removed']} removed, {counts['added']} added; "
            f"{len(result.graphs)} graphs changed, {result.unchanged_graphs} unchanged.", "",
            f"The store after the changeset {'equals' if same else 'DIFFERS FROM'} a fresh load of the second "
            "build, quad for quad.", ""]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("section", choices=["build", "query", "load", "identity", "validate", "publish", "draft",
                                            "diff", "site"])
    parser.add_argument("--against", default=SITE_BAR, help="site: the commit whose kgpub site to compare with")
    parser.add_argument("--seeds", type=Path, default=ROOT / "seeds", help="the curated corpus (draft)")
    parser.add_argument("--naive-articles", type=int, default=100, help="corpus size for the naive path (build)")
    parser.add_argument("--articles", type=int, default=5000, help="synthetic articles (5000 ≈ 1 M triples)")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--rounds", type=int, default=3, help="site: rounds of each commit's site, drawn in turn")
    parser.add_argument("--no-endpoint", action="store_true",
                        help="publish: measure the pages and the site only, not the SPARQL endpoints (written to "
                             "results/publish-pages.md)")
    parser.add_argument("--no-queries", action="store_true",
                        help="load: measure the loads only, not the shipped queries on the loaded store")
    parser.add_argument("--rdflib-timeout", type=int, default=120)
    parser.add_argument("--sizes", help="build: full builds of these sizes instead (1M ≈ 4,460 articles), e.g. "
                                        "1M,5M,10M; written to results/build-sizes.md")
    parser.add_argument("--results", type=Path, default=HERE / "results")
    args = parser.parse_args()
    from synth import write_corpus

    if args.section == "draft":
        from draft_eval import evaluate, report

        command = "python benchmarks/bench.py draft" + (f" --seeds {args.seeds}" if args.seeds != ROOT / "seeds" else "")
        publish(report(evaluate(args.seeds), machine(), command), args.results / "draft.md")
        return
    work = Path(tempfile.mkdtemp(prefix="kgpub-bench-"))
    if args.section == "site":
        written("Site benchmark against an earlier commit",
                f"site --articles {args.articles} --against {args.against} --rounds {args.rounds}",
                lambda: site_against_section(args.against, args.articles, work, args.rounds),
                args.results / "site-against.md", work)
        return
    if args.section == "build" and args.sizes:
        written("Build benchmark at several sizes", f"build --sizes {args.sizes}",
                lambda: sizes_section(args.sizes.split(","), work), args.results / "build-sizes.md", work)
        return
    sections = {"build": ("Build benchmark", build_section), "validate": ("Validation benchmark", validate_section)}
    if args.section in sections:
        title, section = sections[args.section]
        written(title, f"{args.section} --articles {args.articles} --naive-articles {args.naive_articles}",
                lambda: section(args.articles, args.naive_articles, work), args.results / f"{args.section}.md", work)
        return
    if args.section in ("identity", "load", "publish", "diff"):
        title = {"identity": "Duplicate detection benchmark", "load": "Load benchmark",
                 "publish": "Publishing benchmark (kgpub site, kgpub serve)",
                 "diff": "Diff benchmark (kgpub diff between two releases)"}[args.section]
        try:
            corpus = work / "corpus"
            write_corpus(corpus, args.articles, seed=7)
            seconds, triples = build(corpus, work / "synthetic")
            report = [f"# {title}", "", f"Machine: {machine()}", "",
                      f"Command: `python benchmarks/bench.py {args.section} --articles {args.articles}"
                      + (f" --repeat {args.repeat}" if args.section == "publish" else "")
                      + (" --no-endpoint" if args.no_endpoint else "")
                      + (" --no-queries" if args.no_queries else "") + "`", "",
                      f"Synthetic build: {args.articles} articles, {triples:,} triples.", ""]
            if args.section == "identity":
                report += identity_section(corpus, seconds, triples)
            elif args.section == "diff":
                report += diff_section(corpus, work / "synthetic", args.articles, triples, work)
            elif args.section == "publish":
                report += serve_section(work / "synthetic", work, args.repeat, endpoint=not args.no_endpoint)
                report += site_section(work / "synthetic", corpus, work)
            else:
                report += load_section(work / "synthetic", triples, work, queries_too=not args.no_queries)
            name = "publish-pages" if args.section == "publish" and args.no_endpoint else args.section
            publish(report, args.results / f"{name}.md")
        finally:
            shutil.rmtree(work, ignore_errors=True)
        return
    try:
        report = ["# Query benchmark", "", f"Machine: {machine()}", "",
                  f"Command: `python benchmarks/bench.py query --articles {args.articles} --repeat {args.repeat}`", ""]
        seed_out = work / "seed"
        build(ROOT / "seeds", seed_out)
        report += query_section("Seed article", seed_out, SEED_PARAMS, args.repeat, args.rdflib_timeout, vocab.DEFAULT_BASE)
        corpus = work / "corpus"
        write_corpus(corpus, args.articles, seed=7)
        seconds, triples = build(corpus, work / "synthetic")
        report += [f"Synthetic build: {args.articles} articles, {triples:,} triples, built in {seconds:.1f} s "
                   "(without validation).", ""]
        report += query_section(f"Synthetic, {triples:,} triples", work / "synthetic", PARAMS, args.repeat,
                                args.rdflib_timeout, vocab.DEFAULT_BASE, corpus=corpus)
        publish(report, args.results / "query.md")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
