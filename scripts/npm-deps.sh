#!/usr/bin/env bash
# Install the Node programs the tests run, from the npm registry, into .cache/npm (git ignores it):
# Comunica's SPARQL engine (@comunica/query-sparql), a client of `kgpub serve`; axe-core, the accessibility
# checker the browser tests run in each page (tests/axe.py); and CodeMirror 5 (codemirror), whose files
# src/kgpub/web/static/vendor/codemirror holds, for tests/test_sparql_page.py to check them against. The versions
# are those of tests/npm/package-lock.json (undici held at 7, which Node 20 runs). A failed install fails the script.
set -euo pipefail
cd "$(dirname "$0")/.."
cache=.cache/npm
mkdir -p "$cache"
if ! cmp -s tests/npm/package-lock.json "$cache/package-lock.json" || [ ! -x "$cache/node_modules/.bin/comunica-sparql" ] \
   || [ ! -f "$cache/node_modules/axe-core/axe.min.js" ] || [ ! -f "$cache/node_modules/codemirror/package.json" ]; then
  command -v npm >/dev/null 2>&1 || { echo "npm-deps: npm is not installed (Node 20 or later is needed)" >&2; exit 1; }
  cp tests/npm/package.json tests/npm/package-lock.json "$cache/"
  (cd "$cache" && npm ci --no-audit --no-fund --loglevel=error >&2)
fi
[ -x "$cache/node_modules/.bin/comunica-sparql" ] || { echo "npm-deps: comunica-sparql did not arrive in $cache" >&2; exit 1; }
[ -f "$cache/node_modules/axe-core/axe.min.js" ] || { echo "npm-deps: axe-core did not arrive in $cache" >&2; exit 1; }
[ -f "$cache/node_modules/codemirror/package.json" ] || { echo "npm-deps: codemirror did not arrive in $cache" >&2; exit 1; }
