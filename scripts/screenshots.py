"""Redraw the screenshots the README and docs show (docs/screenshots/*.png) from the seed corpus.

Builds seeds/ into a temporary folder, starts ``kgpub serve`` on it on 127.0.0.1 (with the seeds, so article
texts show), and has Debian's headless Chromium (through chromedriver and Selenium, the test extras) draw each
page at a desktop's viewport (1280x800) and one at a phone's (375x740).  Nothing is fetched from any other host.

    .venv/bin/python scripts/screenshots.py

Needs the test extras (``pip install -e '.[test]'``) and ``chromium`` and ``chromium-driver``.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"
DESKTOP = (1280, 800)
PHONE = (375, 740)

#: (file name, path on the server, viewport). The tests check that every picture the docs show is listed here.
SHOTS: list[tuple[str, str, tuple[int, int]]] = [
    ("front", "/", DESKTOP),
    ("article", "/kgpub/id/article/state-2020-01-03", DESKTOP),
    ("actor", "/kgpub/id/mustafa-al-kadhemi", DESKTOP),
    ("event", "/kgpub/id/event/embassy-siege", DESKTOP),
    ("timeline", "/timeline", DESKTOP),
    ("sparql", "/sparql", DESKTOP),
    ("actor-phone", "/kgpub/id/mustafa-al-kadhemi", PHONE),
]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(data: Path, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    """``kgpub serve`` on a free port of 127.0.0.1, once it answers."""
    port = free_port()
    with open(log, "wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "kgpub", "serve", "--data", str(data), "--seeds",
                                    str(ROOT / "seeds"), "--host", "127.0.0.1", "--port", str(port)],
                                   stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            with urllib.request.urlopen(url + "/", timeout=2):
                return process, url
        except urllib.error.HTTPError:
            return process, url
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise SystemExit(f"kgpub serve did not start: {log.read_text(errors='replace')[-2000:]}")


def chromium() -> Any:
    """Debian's Chromium, headless, that resolves no host but 127.0.0.1."""
    binary, driver_path = shutil.which("chromium"), shutil.which("chromedriver")
    if not (binary and driver_path):
        raise SystemExit("screenshots: install chromium and chromium-driver (Debian) first")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars",
                 "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"):
        options.add_argument(flag)
    return webdriver.Chrome(service=Service(driver_path), options=options)


def shoot(driver: Any, url: str, path: Path, size: tuple[int, int]) -> None:
    """The page's first screen at ``size`` (a phone's as a phone lays it out: its viewport meta applies)."""
    width, height = size
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": height, "deviceScaleFactor": 1, "mobile": size == PHONE})
    driver.get(url)
    driver.find_element("tag name", "h1")
    if url.endswith("/sparql"):
        run_the_example(driver)
    # an article's picture shows its highlighted text, scrolled to when the page puts something else first
    driver.execute_script(
        "var m = document.querySelector('mark');"
        "if (m && m.getBoundingClientRect().bottom > innerHeight) m.scrollIntoView({block: 'center'});")
    driver.save_screenshot(str(path))


def run_the_example(driver: Any) -> None:
    """On the SPARQL page, run the query the editor opens with, so the picture shows its answer."""
    from selenium.webdriver.support.ui import WebDriverWait

    buttons = driver.find_elements("css selector", "#editor button")  # Run (the examples' Open is hidden)
    if buttons:
        buttons[0].click()
        WebDriverWait(driver, 60).until(lambda d: d.find_elements("css selector", "table td"))
        driver.execute_script("window.scrollTo(0, 0)")


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="kgpub-screenshots-") as tmp:
        data = Path(tmp) / "dist"
        subprocess.run([sys.executable, "-m", "kgpub", "build", str(ROOT / "seeds"), "--out", str(data), "-q"],
                       check=True)
        process, url = serve(data, Path(tmp) / "serve.log")
        driver = None
        try:
            driver = chromium()
            for name, path, size in SHOTS:
                target = OUT / f"{name}.png"
                shoot(driver, url + path, target, size)
                print(f"{target.relative_to(ROOT)}: {target.stat().st_size // 1024} KB")
        finally:
            if driver is not None:
                driver.quit()
            process.terminate()
            process.wait(timeout=30)


if __name__ == "__main__":
    main()
