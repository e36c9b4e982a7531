#!/usr/bin/env python3
"""Summarises the warnings and errors in ITT logs, one line per kind of message, for the report's notes.

usage: logsummary.py LOG...   (the ITT processes ran at -loglevel warn, so every line they logged is a finding)

A "kind" is the message with its digits blanked, so that the same warning about different ports or counts is
counted once; the first occurrence is shown. Stack-trace frames are skipped; JVM-level failures printed outside
the logger (uncaught exceptions, OutOfMemoryError) are kept.
"""
import collections
import os
import re
import sys

LEVEL_LINE = re.compile(r"^\d\d:\d\d:\d\d,\d+\s+(WARN|ERROR|FATAL)\s+(.*)$")
RAW_FAILURE = re.compile(r"^(Exception in thread|java\.lang\.\w*Error|#\s+A fatal error)")


def main():
    for path in sys.argv[1:]:
        role = os.path.basename(path).removesuffix(".log")
        kinds = collections.OrderedDict()
        with open(path, errors="replace") as f:
            for line in f:
                line = line.rstrip()
                m = LEVEL_LINE.match(line)
                if m:
                    text = f"{m.group(1)} {m.group(2)}"
                elif RAW_FAILURE.match(line):
                    text = line
                else:
                    continue
                key = re.sub(r"\d+", "N", text)
                if key not in kinds:
                    kinds[key] = [0, text]
                kinds[key][0] += 1
        for count, text in kinds.values():
            if len(text) > 240:
                text = text[:240] + "…"
            print(f"{role} logged {count} × `{text}`")


if __name__ == "__main__":
    main()
