#!/usr/bin/env bash
# Install everything the test suite needs on a fresh machine, then run it.
#   bash scripts/test.sh [pytest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

# Independent tools, real servers and the browser the tests use (rapper, Virtuoso, Chromium, nginx, Apache), and
# Java with Maven (the Java servers and tools, Fuseki, RDF4J Server on Jetty, Jena's riot and shacl, come from Maven
# Central through mvn and run on java). Installed with apt when missing and we are root; in CI (CI=true) a test
# whose tool is missing fails instead of skipping. Jena's rsparql and arq come with its distribution; Node's npm
# installs Comunica and axe-core (scripts/npm-deps.sh).
missing=()
command -v java >/dev/null 2>&1 || missing+=(default-jdk-headless)
command -v mvn >/dev/null 2>&1 || missing+=(maven)
command -v npm >/dev/null 2>&1 || missing+=(npm)                    # Comunica, a client of kgpub serve; axe-core
command -v rapper >/dev/null 2>&1 || missing+=(raptor2-utils)
command -v virtuoso-t >/dev/null 2>&1 || missing+=(virtuoso-opensource)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)            # the browser tests drive the real one
command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)      # the site's redirect rules,
command -v apache2 >/dev/null 2>&1 || [ -x /usr/sbin/apache2 ] || missing+=(apache2-bin)  # served by both servers
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "note: not installed: ${missing[*]}; the tests that need them will skip" >&2
  fi
fi

bash scripts/java-deps.sh
bash scripts/npm-deps.sh   # Comunica, a client the serve tests run; axe-core, run in the browser tests

python3 -m venv .venv
.venv/bin/pip install -q --disable-pip-version-check -e '.[test]'
.venv/bin/ruff check src tests benchmarks   # pyflakes and pycodestyle's errors (pyproject's [tool.ruff])
.venv/bin/mypy src                          # the types (pyproject's [tool.mypy])
exec .venv/bin/pytest "$@"
