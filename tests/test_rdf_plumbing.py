"""The shared RDF plumbing (``kgpub.rdf``): one format table, N-Triples lines read as strings, prefixed names."""

from __future__ import annotations

import pyoxigraph as ox
from hypothesis import given
from hypothesis import strategies as st

from kgpub.rdf import formats, ntriples, vocab


def test_every_format_is_found_by_its_name_extension_and_media_type() -> None:
    for f in formats.FORMATS:
        assert formats.by_name(f.name) is f
        assert formats.by_extension(f"kg.{f.extension}") is f
        assert formats.by_media_type(f.media_type + "; charset=utf-8") is f


def test_owl_files_are_rdf_xml_and_unknowns_are_none() -> None:
    assert formats.by_extension("ontology.owl").name == "rdfxml"
    assert formats.by_extension("notes.txt") is None
    assert formats.by_name("yaml") is None
    assert formats.by_media_type("text/html") is None


def test_content_type_gives_text_formats_a_charset() -> None:
    assert formats.by_name("turtle").content_type == "text/turtle; charset=utf-8"
    assert formats.by_name("ntriples").content_type == "application/n-triples"


def test_dataset_formats_are_the_ones_with_named_graphs() -> None:
    assert set(formats.names(datasets=True)) == {"jsonld", "trig", "nquads"}


iris = st.from_regex(r"https://example\.org/[a-z0-9/]{0,12}(#[a-z0-9]{0,6})?", fullmatch=True)
literals = st.text(st.characters(blacklist_categories=("Cs",)), max_size=20)


@given(iris, iris, st.one_of(iris, literals))
def test_ntriples_split_equals_a_parser(s: str, p: str, o: str) -> None:
    obj: ox.NamedNode | ox.Literal = ox.NamedNode(o) if o.startswith("https://example.org/") else ox.Literal(o)
    line = ox.serialize([ox.Triple(ox.NamedNode(s), ox.NamedNode(p), obj)], format=ox.RdfFormat.N_TRIPLES).decode()
    line = line.rstrip("\n")
    parsed = next(iter(ox.parse(line.encode(), format=ox.RdfFormat.N_TRIPLES)))
    assert ntriples.split(line) == (str(parsed.subject), str(parsed.predicate), str(parsed.object))
    assert ntriples.subject(line) == str(parsed.subject)
    assert ntriples.subject_iri(line) == s


def test_prefixed_takes_the_longest_namespace() -> None:
    short = vocab.shortener({"id": "https://w3id.org/kgpub/id/", "art": "https://w3id.org/kgpub/id/article/"})
    assert short("https://w3id.org/kgpub/id/article/x") == "art:x"
    assert short("https://w3id.org/kgpub/id/e") == "id:e"
    assert short("https://w3id.org/kgpub/id/") is None
    assert short("http://other.org/x") is None


# --------------------------------------------------------------------------- lines kept as one blob

#: Literal text with what splits a line where str.splitlines would and N-Triples does not (U+2028, U+0085, \r,
#: \x1c...), and characters of every UTF-8 length.
_TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters='\n"\\'), max_size=12)
_LINES = st.lists(st.builds(lambda s, o: f'<https://example.org/{s}> <https://example.org/p> "{o}" .\n',
                            st.integers(0, 30), _TEXT), max_size=40).map(lambda lines: sorted(set(lines)))


@given(_LINES, st.integers(1, 64))
def test_a_blob_iterates_counts_and_compares_as_its_lines(lines: list[str], piece: int) -> None:
    """Decoded a piece at a time (pieces smaller than a line included), a blob gives back exactly its lines."""
    import pickle

    blob = ntriples.LineBlob.of(lines)
    kept, ntriples.LineBlob.PIECE = ntriples.LineBlob.PIECE, piece
    try:
        assert list(blob) == lines and blob == lines and len(blob) == len(lines) and bool(blob) == bool(lines)
    finally:
        ntriples.LineBlob.PIECE = kept
    again = ntriples.LineBlob("".join(lines).encode("utf-8"))
    assert again == blob and len(again) == len(lines)
    assert pickle.loads(pickle.dumps(blob)) == blob
    if lines:
        assert blob != lines[1:] and ntriples.LineBlob(b"") != blob


@given(st.lists(_LINES, max_size=6), _LINES)
def test_lines_merged_as_bytes_are_the_sorted_union_of_the_strings(groups: list[list[str]], first: list[str]) -> None:
    """The build's merge sorts UTF-8 bytes without their newline; the result is the sorted set of the strings."""
    from kgpub.output import blocks

    merged = blocks.merged([first], (ntriples.LineBlob.of(g) for g in groups))
    expected = sorted({line for g in [first, *groups] for line in g})
    assert list(merged) == expected and merged.data == "".join(expected).encode("utf-8")
    assert len(merged) == len(expected)


@given(_LINES, st.integers(0, 8), st.integers(1, 64))
def test_a_blob_kept_in_a_file_is_the_blob_it_was(lines: list[str], before: int, piece: int) -> None:
    """Spooled to a file (after other bytes), a blob reads its pieces from there, each cut after a line's end,
    and iterates, counts, compares and pickles (with its bytes, not its place) as it did in memory."""
    import pickle
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "spool"
        blob = ntriples.LineBlob.of(lines)
        with open(path, "wb") as stream:
            stream.write(b"x" * before)
            blob.spool(stream)
        assert blob.size == len("".join(lines).encode("utf-8")) and "in " in repr(blob)
        pieces = list(blob.pieces(piece))
        assert b"".join(pieces) == "".join(lines).encode("utf-8") and all(p.endswith(b"\n") for p in pieces)
        kept, ntriples.LineBlob.PIECE = ntriples.LineBlob.PIECE, piece
        try:
            assert list(blob) == lines and blob == lines and len(blob) == len(lines) and bool(blob) == bool(lines)
        finally:
            ntriples.LineBlob.PIECE = kept
        again = pickle.loads(pickle.dumps(blob))
        assert pickle.dumps(blob) == pickle.dumps(ntriples.LineBlob.of(lines))  # a cache entry's bytes and hash
        read = ntriples.LineBlob.in_file(path, before, blob.size)
        assert read == blob and len(read) == len(lines)
    assert again == ntriples.LineBlob.of(lines)  # the file is gone; the pickled blob holds its lines


@given(st.lists(_LINES, max_size=6), _LINES, st.integers(1, 400))
def test_lines_merged_into_a_file_in_runs_are_the_merge_in_memory(groups: list[list[str]], first: list[str],
                                                                  run: int) -> None:
    """A build's merge into a file sorts runs of about ``run`` bytes and merges them: the same lines, the same
    bytes as the merge in memory, and no run left behind; lines that fit in one run stay in memory."""
    import tempfile
    from pathlib import Path

    from kgpub.output import blocks

    in_memory = blocks.merged([first], (ntriples.LineBlob.of(g) for g in groups))
    with tempfile.TemporaryDirectory() as folder:
        into = Path(folder) / "data.nt"
        merged = blocks.merged([first], (ntriples.LineBlob.of(g) for g in groups), into=into, run=run)
        assert merged.data == in_memory.data and len(merged) == len(in_memory)
        larger = sum(len("".join(g).encode("utf-8")) for g in [first, *groups]) >= run  # more than one run
        assert [p.name for p in Path(folder).iterdir()] == (["data.nt"] if larger else [])
        assert ("in " in repr(merged)) == larger
