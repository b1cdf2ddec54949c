#!/usr/bin/env python3
"""Page weight and first render of every page of the web front, in Debian's Chromium.

Usage: .venv-browser/bin/python bench/web_bench.py [BASE_URL] [--write]
Needs a running studio in local mode (scripts/dev_bootstrap.sh). Signs a fresh address in through the
dev mailbox, then loads each page 5 times with a warm HTTP cache disabled and reports: the page's own
JavaScript (every .js it loads, uncompressed bytes), the first contentful paint and the load event
(median of the runs). Targets: JavaScript ≤ 100 KB per page, first render ≤ 1 s. With --write the table
replaces the "web-bench" block of docs/BENCHMARKS.md.
"""

import datetime
import os
import platform
import re
import secrets
import statistics
import sys
import urllib.request

from playwright.sync_api import sync_playwright

args = [a for a in sys.argv[1:] if not a.startswith("--")]
BASE = (args[0] if args else "http://127.0.0.1:8080").rstrip("/")
PAGES = ["/", "/signin/", "/app/", "/app/chat/", "/app/cv/", "/app/slides/", "/app/image/", "/app/video/", "/app/account/"]
RUNS = 5


def js_bytes(path: str, page) -> int:
    """Sum of the uncompressed size of every script the page loaded."""
    urls = page.evaluate("() => performance.getEntriesByType('resource').map((e) => e.name).filter((n) => /\\.js(\\?|$)/.test(n))")
    total = 0
    for url in set(urls):
        with urllib.request.urlopen(url) as response:
            total += len(response.read())
    return total


def main() -> int:
    rows = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        page = context.new_page()
        email = f"bench-{secrets.token_hex(4)}@example.com"
        page.goto(f"{BASE}/signin/")
        page.evaluate("""async (email) => { await fetch("/v1/auth/magic-link", { method: "POST",
            headers: { "Content-Type": "application/json" }, body: JSON.stringify({ email }) }); }""", email)
        outbox = page.evaluate("async () => (await (await fetch('/v1/dev/outbox')).json()).messages")
        code = next(m["notes"]["code"] for m in outbox if m["to"] == email)
        page.evaluate("""async ([email, code]) => { await fetch("/v1/auth/magic-link/verify", { method: "POST",
            headers: { "Content-Type": "application/json" }, body: JSON.stringify({ email, code }) }); }""", [email, code])
        cdp = context.new_cdp_session(page)
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        for path in PAGES:
            paints, loads = [], []
            size = 0
            for _ in range(RUNS):
                page.goto(f"{BASE}{path}", wait_until="load")
                timing = page.evaluate("""() => {
                    const nav = performance.getEntriesByType("navigation")[0];
                    const fcp = performance.getEntriesByName("first-contentful-paint")[0];
                    return [fcp ? fcp.startTime : null, nav.loadEventEnd]; }""")
                if timing[0] is None:
                    page.wait_for_timeout(200)
                    timing[0] = page.evaluate("() => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null")
                paints.append(timing[0] or 0)
                loads.append(timing[1])
                size = js_bytes(path, page)
            rows.append((path, size, statistics.median(paints), statistics.median(loads)))
        browser.close()

    lines = ["| page | JavaScript (KB, uncompressed) | first contentful paint (ms) | load event (ms) |", "|---|---|---|---|"]
    for path, size, paint, load in rows:
        lines.append(f"| `{path}` | {size / 1024:.1f} | {paint:.0f} | {load:.0f} |")
    worst_js = max(r[1] for r in rows) / 1024
    worst_paint = max(r[2] for r in rows)
    verdict = "met" if worst_js <= 100 and worst_paint <= 1000 else "NOT met"
    lines += ["", f"Targets (≤ 100 KB of JavaScript per page, first render ≤ 1 s): {verdict} — largest {worst_js:.1f} KB, "
              f"slowest first paint {worst_paint:.0f} ms. Median of {RUNS} loads with the browser cache disabled, "
              f"debug build, {datetime.date.today()} ({os.cpu_count()} cores, {platform.machine()}), studio and browser on the same machine."]
    table = "\n".join(lines)
    print(table)
    if "--write" in sys.argv:
        path = os.path.join(os.path.dirname(__file__), "..", "docs", "BENCHMARKS.md")
        text = open(path, encoding="utf-8").read()
        block = f"<!-- web-bench:start -->\n{table}\n<!-- web-bench:end -->"
        if "<!-- web-bench:start -->" in text:
            text = re.sub(r"<!-- web-bench:start -->.*?<!-- web-bench:end -->", lambda _: block, text, flags=re.S)
        else:
            text += ("\n## Web front\n\n`.venv-browser/bin/python bench/web_bench.py http://127.0.0.1:8080 --write` against "
                     "`scripts/dev_bootstrap.sh`: each page's own JavaScript and how fast it first renders in Chromium.\n\n"
                     + block + "\n")
        open(path, "w", encoding="utf-8").write(text)
    return 0 if verdict == "met" else 1


if __name__ == "__main__":
    sys.exit(main())
