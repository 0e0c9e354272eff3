"""The screenshots the README and docs show: each exists, is a small PNG of the size scripts/screenshots.py draws,
and is one that script redraws (so none goes stale by hand); and no picture of docs/screenshots/ is unused."""

from __future__ import annotations

import importlib.util
import re
import struct
from pathlib import Path
from types import ModuleType

from conftest import ROOT

PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
SHOTS = ROOT / "docs" / "screenshots"
#: A picture the docs show stays small enough for a clone and a README to carry.
MAX_BYTES = 300_000


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("screenshots", ROOT / "scripts" / "screenshots.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _shown() -> dict[Path, list[str]]:
    """Every PNG a page of the docs shows (Markdown image syntax), by the file it resolves to, with the pages."""
    shown: dict[Path, list[str]] = {}
    for page in PAGES:
        for target in re.findall(r"!\[[^\]]*\]\(([^)\s]+\.png)\)", page.read_text(encoding="utf-8")):
            shown.setdefault((page.parent / target).resolve(), []).append(page.name)
    return shown


def _png_size(path: Path) -> tuple[int, int]:
    """A PNG's width and height, from its signature and IHDR chunk (a file that is not a PNG fails)."""
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n" and head[12:16] == b"IHDR", f"{path.name} is not a PNG"
    width, height = struct.unpack(">II", head[16:24])
    return int(width), int(height)


def test_every_screenshot_the_docs_show_exists_and_is_one_the_script_draws() -> None:
    drawn = {(SHOTS / f"{name}.png").resolve(): size for name, _, size in _script().SHOTS}
    shown = _shown()
    assert len(shown) >= 3 and any("README.md" in pages for pages in shown.values())
    for path, pages in shown.items():
        assert path.is_file(), f"{', '.join(pages)} shows {path.relative_to(ROOT)}, which does not exist"
        assert path in drawn, f"{path.relative_to(ROOT)} is not drawn by scripts/screenshots.py"
        assert path.stat().st_size < MAX_BYTES, f"{path.name}: {path.stat().st_size} bytes"
        assert _png_size(path) == drawn[path], f"{path.name} is not the size the script draws"


def test_every_drawn_screenshot_is_shown() -> None:
    shown = _shown()
    for path in sorted(SHOTS.glob("*.png")):
        assert path.resolve() in shown, f"{path.relative_to(ROOT)} is shown by no page of the docs"
