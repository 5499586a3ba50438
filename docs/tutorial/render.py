#!/usr/bin/env python3
"""Runs the commands of docs/own-data.md and writes their output into it.

Each `<!-- run: CMD -->` (or `<!-- run(exit=N): CMD -->` for a command that must fail with code N) is
followed by a ```console block; the block is replaced by `$ CMD` and what CMD printed (stdout and stderr).
Commands run from the repository root with progress bars off; runs/tutorial is removed first; the
checkout's absolute path is shown relative. Usage: python3 docs/tutorial/render.py
"""
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

root = Path(__file__).resolve().parents[2]
doc = root / "docs" / "own-data.md"
shutil.rmtree(root / "runs" / "tutorial", ignore_errors=True)
env = dict(os.environ, SEQREC_JAVA_OPTS="-Dseqrec.progress=false")
subprocess.run(["bin/seqrec", "--version"], cwd=root, env=env, check=True, capture_output=True)  # build first, quietly
pattern = re.compile(r"<!-- run(?:\(exit=(\d+)\))?: (.*?) -->\n```console\n.*?```\n", re.S)


def run(m):
    expected = int(m.group(1) or 0)
    cmd = m.group(2)
    p = subprocess.run(["bash", "-c", cmd], cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if p.returncode != expected:
        sys.exit(f"{cmd}: exit code {p.returncode}, expected {expected}\n{p.stdout}")
    out = p.stdout.replace(str(root) + "/", "")
    print(f"ran: {cmd}")
    return f"<!-- run{'' if m.group(1) is None else '(exit=' + m.group(1) + ')'}: {cmd} -->\n```console\n$ {cmd}\n{out}```\n"


text = pattern.sub(run, doc.read_text())
doc.write_text(text)
