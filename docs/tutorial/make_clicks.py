#!/usr/bin/env python3
"""Writes docs/tutorial/clicks.csv, the messy click log of docs/own-data.md (deterministic: seed 17).

A shop's export as a spreadsheet tool writes it: UTF-8 with a byte-order mark, semicolons, ISO-8601
timestamps with offsets, a quoted field that holds the delimiter, and five bad rows (a timestamp 'N/A',
a row cut short, an empty visitor id, an impossible date, a truncated timestamp). 90 visitors browse
40 products; each visitor mostly follows one of four product "aisles" in order, so that the order
of a history carries signal for a sequential model.
"""
import random
from datetime import datetime, timedelta, timezone
from pathlib import Path

rng = random.Random(17)
aisles = [[f"P-{1001 + a * 10 + k}" for k in range(10)] for a in range(4)]
channels = ["web", "app", "\"email; newsletter\""]
rows = []
start = datetime(2024, 3, 1, 8, 0, tzinfo=timezone.utc)
for v in range(1, 91):
    visitor = f"c-{v:04d}"
    aisle = aisles[rng.randrange(4)]
    pos = rng.randrange(10)
    t = start + timedelta(minutes=rng.randrange(60 * 24 * 20))
    for _ in range(rng.randint(5, 9)):
        if rng.random() < 0.8:
            item = aisle[pos % 10]
            pos += rng.choice([1, 1, 1, 2])
        else:
            item = rng.choice(rng.choice(aisles))
        offset = timezone(timedelta(hours=1)) if rng.random() < 0.5 else timezone.utc
        stamp = t.astimezone(offset).isoformat().replace("+00:00", "Z")
        rows.append(f"{visitor};{item};{stamp};{rng.choice(channels)}")
        t += timedelta(minutes=rng.randint(2, 600))
bad = ["c-0012;P-1003;N/A;web", "c-0020;P-1010", ";P-1004;2024-03-02T10:00:00Z;app",
       "c-0033;P-1002;2024-13-45T09:00:00Z;web", "c-0041;P-1005;2024-03-0"]
for k, b in enumerate(bad):
    rows.insert(40 + k * 97, b)
out = Path(__file__).with_name("clicks.csv")
out.write_bytes(("\ufeffvisitor_id;product;timestamp;channel\n" + "\n".join(rows) + "\n").encode("utf-8"))
print(f"wrote {out}: {len(rows)} rows, {len(bad)} of them bad")
