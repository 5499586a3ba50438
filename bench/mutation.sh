#!/usr/bin/env bash
# Mutation testing (issue 24): PIT over the packages where a wrong number is silent, then the mutation score
# per package into bench/results/mutation.{json,md}. One engine thread, one PIT thread; slow on 2 cores.
#   bench/mutation.sh                                   # eval and data (the default targets)
#   TARGETS='org.seqrec.model.layers.*' TESTS='org.seqrec.model.*' NAME=mutation-layers bench/mutation.sh
set -euo pipefail
cd "$(dirname "$0")/.."
NAME=${NAME:-mutation}
ARGS=()
[ -n "${TARGETS:-}" ] && ARGS+=("-Dpit.targets=$TARGETS")
[ -n "${TESTS:-}" ] && ARGS+=("-Dpit.tests=$TESTS")
mkdir -p bench/results
start=$(date +%s)
mvn -B -q -Pmutation test-compile org.pitest:pitest-maven:mutationCoverage "${ARGS[@]}"
secs=$(( $(date +%s) - start ))
python3 - "$NAME" "$secs" "${TARGETS:-default}" "${TESTS:-default}" <<'PY'
import collections, json, os, sys
import xml.etree.ElementTree as ET
name, secs, targets, tests = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
root = ET.parse("target/pit-reports/mutations.xml").getroot()
by = collections.defaultdict(collections.Counter)
survivors = []
for m in root.iter("mutation"):
    cls = m.findtext("mutatedClass"); pkg = cls.rsplit(".", 1)[0]; st = m.get("status")
    by[pkg][st] += 1
    if st in ("SURVIVED", "NO_COVERAGE"):
        survivors.append({"class": cls, "method": m.findtext("mutatedMethod"), "line": int(m.findtext("lineNumber")),
                          "mutator": m.findtext("mutator").rsplit(".", 1)[-1], "status": st,
                          "description": m.findtext("description")})
rows = []
for pkg, c in sorted(by.items()):
    total = sum(c.values()); killed = c["KILLED"] + c["TIMED_OUT"] + c["MEMORY_ERROR"]
    rows.append({"package": pkg, "mutants": total, "killed": killed, "survived": c["SURVIVED"], "no_coverage": c["NO_COVERAGE"],
                 "score": round(killed / total, 4) if total else None})
load = open("/proc/loadavg").read().split()[:3]
out = {"seconds": secs, "load_average": load, "targets": targets, "tests": tests, "packages": rows, "survivors": survivors}
json.dump(out, open(f"bench/results/{name}.json", "w"), indent=1)
with open(f"bench/results/{name}.md", "w") as f:
    f.write(f"# Mutation testing ({name}, bench/mutation.sh)\n\nTARGETS='{targets}' TESTS='{tests}' (default: the pom's). "
            f"PIT {secs} s; load average at the end {' '.join(load)}.\n\n")
    f.write("| package | mutants | killed | survived | no coverage | score |\n|---|---:|---:|---:|---:|---:|\n")
    for r in rows:
        f.write(f"| {r['package']} | {r['mutants']} | {r['killed']} | {r['survived']} | {r['no_coverage']} | {r['score']:.1%} |\n")
    f.write(f"\n## Surviving mutants ({len(survivors)})\n\n| class | method | line | mutator | status |\n|---|---|---:|---|---|\n")
    for s in survivors:
        f.write(f"| {s['class'].rsplit('.',1)[-1]} | {s['method']} | {s['line']} | {s['mutator']} | {s['status']} |\n")
print(open(f"bench/results/{name}.md").read()[:3000])
PY
