#!/usr/bin/env bash
# Checks out commit $1 in a git worktree at bench/out/ab-before (reused while it is at that commit), builds its
# launcher's jar and this checkout's, and prints the worktree's path: the "before" side of a before/after benchmark.
set -euo pipefail
cd "$(dirname "$0")/.."
WT=bench/out/ab-before
if [ ! -d "$WT" ] || [ "$(git -C "$WT" rev-parse HEAD)" != "$(git rev-parse "$1")" ]; then
  git worktree remove --force "$WT" 2>/dev/null || rm -rf "$WT"
  git worktree add --detach "$WT" "$1" >&2
fi
"$WT/bin/seqrec" --version > /dev/null
bin/seqrec --version > /dev/null
echo "$WT"
