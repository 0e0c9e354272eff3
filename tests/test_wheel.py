"""The wheel carries everything the code reads at run time: templates, static files, schemas and the shipped data.

An editable install reads these from the checkout, so every other test would pass with a wheel that lacks them;
only building the wheel and looking inside shows what a user of ``pip install kgpub`` gets.
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "kgpub"


def _build_wheel(tmp_path: Path) -> set[str]:
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--quiet",
                    "--wheel-dir", str(tmp_path), str(ROOT)], check=True, capture_output=True)
    (wheel,) = tmp_path.glob("kgpub-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        return set(archive.namelist())


def test_the_wheel_holds_every_file_the_package_reads(tmp_path: Path) -> None:
    names = _build_wheel(tmp_path)
    wanted = {"kgpub/" + p.relative_to(PACKAGE).as_posix()
              for p in PACKAGE.rglob("*") if p.is_file() and p.suffix in (".html", ".css", ".js", ".json", ".py")
              and "__pycache__" not in p.parts}
    assert any(n.startswith("kgpub/web/templates/") for n in wanted)  # the check below checks something
    assert any(n.startswith("kgpub/web/static/") for n in wanted)
    assert wanted - names == set()
    for folder, suffix in (("ontology", ".ttl"), ("shapes", ".ttl"), ("queries", ".rq")):
        shipped = {f"kgpub/data/{folder}/{p.name}" for p in (ROOT / folder).glob(f"*{suffix}")}
        assert shipped and shipped - names == set(), folder
