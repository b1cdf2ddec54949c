#!/usr/bin/env python3
"""Lists the Swift Testing tests and suites a `swift test` log shows as started but never ended."""
import re
import sys

STARTED = re.compile(r"◇ (Test|Suite) (.+?) started\.")
ENDED = re.compile(r"[✔✘➜] (Test|Suite) (.+?)(?: with \d+ test cases?)? (?:passed|failed|skipped)")


def main(path: str) -> int:
    running: dict[str, None] = {}
    with open(path, encoding="utf-8", errors="replace") as log:
        for line in log:
            if "Test case passing" in line:
                continue
            if match := STARTED.search(line):
                running[f"{match.group(1)} {match.group(2)}"] = None
            elif match := ENDED.search(line):
                running.pop(f"{match.group(1)} {match.group(2)}", None)
    for name in running:
        print(f"  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
