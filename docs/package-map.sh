#!/usr/bin/env bash
# Regenerates the package table of docs/architecture.md (between its PACKAGE-MAP markers) from the sources
# and the compiled classes: files and lines per package, and each package's dependencies on others as
# jdeps (-verbose:package) reads them from target/classes. Run after `mvn -q compile`.
#   bash docs/package-map.sh            rewrite the table in place
#   bash docs/package-map.sh --check    exit 1 when the table is out of date (nothing written)
#   bash docs/package-map.sh --deps     only check that jdeps agrees with the layers (what CI runs)
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d target/classes/org/seqrec ] || { echo "target/classes missing: run mvn -q compile first" >&2; exit 2; }
SRC=src/main/java/org/seqrec
deps=$(jdeps -verbose:package -filter:none target/classes 2>/dev/null | awk '$1 ~ /^org\.seqrec/ && $2 == "->" && $3 ~ /^org\.seqrec/ && $1 != $3 {print $1, $3}' | sort -u)
table=$(
  echo "| package | files | lines | depends on (jdeps) |"
  echo "|---|---:|---:|---|"
  for dir in $(find "$SRC" -type d | sort); do
    files=$(find "$dir" -maxdepth 1 -name '*.java' | sort)
    [ -n "$files" ] || continue
    pkg=$(echo "${dir#src/main/java/}" | tr / .)
    n=$(echo "$files" | wc -l)
    lines=$(cat $files | wc -l)
    uses=$(echo "$deps" | awk -v p="$pkg" '$1 == p {sub(/^org\.seqrec\.?/, "", $2); print ($2 == "" ? "(api)" : $2)}' | paste -sd, - | sed 's/,/, /g')
    echo "| \`${pkg#org.}\` | $n | $lines | ${uses:-–} |"
  done
  echo
  echo "Total: $(find "$SRC" -name '*.java' | wc -l) files, $(find "$SRC" -name '*.java' -exec cat {} + | wc -l) lines."
)
# jdeps must agree with the layers of src/test/java/org/seqrec/arch/LayersTest.java: every edge points down
bad=$(echo "$deps" | python3 -c '
import sys
levels = [["org.seqrec.util"], ["org.seqrec.data", "org.seqrec.data.fetch"], ["org.seqrec.nn"], ["org.seqrec.model"], ["org.seqrec.eval"],
          ["org.seqrec.model.zoo"], ["org.seqrec.train"], ["org.seqrec.run"], ["org.seqrec.report", "org.seqrec.interop"], ["org.seqrec"],
          ["org.seqrec.experiment", "org.seqrec.serve"], ["org.seqrec.cli"]]
level = {p: i for i, ps in enumerate(levels) for p in ps}
for line in sys.stdin:
    a, b = line.split()
    if a not in level or b not in level:
        print(f"{a} -> {b}: a package outside the stack")
    elif level[b] >= level[a] and not (a == "org.seqrec.data.fetch" and b == "org.seqrec.data"):
        print(f"{a} -> {b}: points up or sideways")
')
[ -z "$bad" ] || { echo "jdeps disagrees with the layers:" >&2; echo "$bad" >&2; exit 1; }
[ "${1:-}" = "--deps" ] && { echo "jdeps agrees with the layers ($(echo "$deps" | wc -l) package edges)"; exit 0; }
doc=docs/architecture.md
new=$(awk -v t="$table" 'BEGIN{skip=0} /<!-- PACKAGE-MAP:BEGIN/ {print; print t; skip=1; next} /<!-- PACKAGE-MAP:END/ {skip=0} !skip {print}' "$doc")
if [ "${1:-}" = "--check" ]; then
  [ "$new" = "$(cat "$doc")" ] || { echo "docs/architecture.md's package table is out of date: bash docs/package-map.sh" >&2; exit 1; }
else
  printf '%s\n' "$new" > "$doc"
fi
