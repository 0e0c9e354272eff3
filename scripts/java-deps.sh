#!/usr/bin/env bash
# Fetch the Java programs the tests run, from Maven Central, into .cache/java (git ignores it):
# Apache Jena Fuseki (the runnable jar), Eclipse RDF4J Server (its war) with Jetty's runner, and the
# Apache Jena distribution (riot, shacl). Each is fetched once; a fetch that fails fails the script.
set -euo pipefail
cd "$(dirname "$0")/.."
cache=.cache/java
mkdir -p "$cache"
fetch() {  # group:artifact:version[:type] file
  [ -e "$cache/$2" ] && return 0
  if ! command -v mvn >/dev/null 2>&1; then
    echo "java-deps: Maven (mvn) is needed to fetch $1 from Maven Central: install it (Debian: apt-get install maven default-jdk-headless), or run scripts/test.sh as root, which does" >&2
    exit 1
  fi
  mvn -q -B -Dstyle.color=never dependency:copy -Dartifact="$1" -DoutputDirectory="$cache" -Dmdep.overWriteReleases=false >&2
  [ -e "$cache/$2" ] || { echo "java-deps: $1 did not arrive as $cache/$2" >&2; exit 1; }
}
fetch org.apache.jena:jena-fuseki-server:5.6.0 jena-fuseki-server-5.6.0.jar
fetch org.eclipse.rdf4j:rdf4j-http-server:4.1.3:war rdf4j-http-server-4.1.3.war
fetch org.eclipse.jetty:jetty-runner:9.4.57.v20241219 jetty-runner-9.4.57.v20241219.jar
if [ ! -d "$cache/apache-jena-5.6.0" ]; then
  fetch org.apache.jena:apache-jena:5.6.0:zip apache-jena-5.6.0.zip
  python3 -m zipfile -e "$cache/apache-jena-5.6.0.zip" "$cache/"
  chmod +x "$cache/apache-jena-5.6.0/bin/"*
  rm "$cache/apache-jena-5.6.0.zip"
fi
