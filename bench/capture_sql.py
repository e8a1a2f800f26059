#!/usr/bin/env python3
"""Turns the statements one Meridian request sent (PostgreSQL log with log_statement=all) into a
pgbench script: each `execute <name>: SQL` with its `DETAIL: parameters: $1 = '...'` becomes one
plain SQL line with the values in place of $n.

    capture_sql.py LOGFILE OFFSET DATABASE > script.sql

Only lines appended after byte OFFSET and written by sessions on DATABASE are read.
"""
import re
import sys

log_file, offset, database = sys.argv[1], int(sys.argv[2]), sys.argv[3]
with open(log_file, "rb") as f:
    f.seek(offset)
    text = f.read().decode("utf-8", "replace")

# `%m [%p] %q%u@%d ` then the message: "LOG:  execute s1: ...", "LOG:  statement: ...",
# "DETAIL:  parameters: $1 = '...'".
prefix = re.compile(r"^\S+ \S+ \S+ \[(\d+)\] \S+@(\S+) (LOG|DETAIL|ERROR|STATEMENT|WARNING|NOTICE):  (.*)$")
param = re.compile(r"\$(\d+) = ('(?:[^']|'')*'|NULL)")

entries = []  # [pid, sql, params]
current = None  # (entry, field) that a continuation line extends
for line in text.splitlines():
    m = prefix.match(line)
    if not m:
        # A continuation line of a multi-line statement or parameter list.
        if current is not None and line.startswith("\t"):
            entry, field = current
            entry[field] += " " + line.strip()
        continue
    pid, db, kind, message = m.groups()
    current = None
    if db != database:
        continue
    if kind == "LOG":
        s = re.match(r"(?:execute [^:]+|statement): (.*)$", message)
        if s:
            entries.append([pid, s.group(1), ""])
            current = (entries[-1], 1)
    elif kind == "DETAIL" and message.startswith("parameters: ") and entries and entries[-1][0] == pid:
        entries[-1][2] = message[len("parameters: "):]
        current = (entries[-1], 2)

skip = re.compile(r"^\s*(LISTEN|UNLISTEN|SELECT pg_notify)", re.I)
count = 0
for pid, sql, params in entries:
    if skip.match(sql):
        continue
    values = {int(n): v for n, v in param.findall(params)}
    sql = re.sub(r"\$(\d+)\b", lambda m: values.get(int(m.group(1)), m.group(0)), sql)
    sql = sql.strip().rstrip(";")
    print(sql + ";")
    count += 1
print(f"captured {count} statements", file=sys.stderr)
if count == 0:
    sys.exit(1)
