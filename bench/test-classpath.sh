#!/usr/bin/env bash
# Compiles the main and test classes and prints the classpath the benchmark mains under
# src/test/java/org/seqrec/bench run with (also kept in bench/out/test-classpath.txt).
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p bench/out
mvn -q -B -Dstyle.color=never test-compile >&2
mvn -q -B -Dstyle.color=never dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=bench/out/test-classpath.txt >&2
echo "target/test-classes:target/classes:$(cat bench/out/test-classpath.txt)"
