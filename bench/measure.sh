# Sourced by the benchmarks that time whole commands: measure LOG CMD... runs CMD under /usr/bin/time -v
# (stdout to LOG, the timing to LOG.time) and prints "wall_seconds peak_rss_mb"; a failing CMD prints the
# ends of both logs and exits.
measure() {
  local log=$1; shift
  /usr/bin/time -v "$@" > "$log" 2> "$log.time" || { tail -20 "$log" "$log.time" >&2; exit 1; }
  python3 - "$log.time" <<'PY'
import re, sys
t = open(sys.argv[1]).read()
wall = re.search(r"Elapsed \(wall clock\) time.*?: (.*)", t).group(1).split(":")
secs = sum(float(x) * 60 ** i for i, x in enumerate(reversed(wall)))
rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", t).group(1)) / 1024
print(f"{secs:.1f} {rss:.0f}")
PY
}
