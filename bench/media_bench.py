#!/usr/bin/env python3
"""Video job timings through a running studio (scripts/dev_bootstrap.sh).

Usage: python3 bench/media_bench.py [BASE_URL] [--runs N] [--write]
Signs a fresh address in through the dev mailbox, then, one at a time:
- makes N offline demo videos of 15 s at 720p (`video_demo`: gradient, prompt drawn in Arabic, H.264);
- uploads one 30 s 720p clip and runs N edits of it (`video_edit`: trim 5 s → 20 s, four Arabic captions
  burned in with libass, poster frame).
For each job it reports the worker's own run time (the "job done" log line's run_ms) and the time from the
request to the finished file as the page sees it (polling every 100 ms). With --write the table replaces
the "media-bench" block of docs/BENCHMARKS.md.
"""

import datetime
import http.cookiejar
import json
import os
import platform
import re
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

args = [a for a in sys.argv[1:] if not a.startswith("--")]
BASE = (args[0] if args else "http://127.0.0.1:8080").rstrip("/")
RUNS = int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else 5
WORKER_LOG = os.path.join(os.path.dirname(__file__), "..", ".data", "logs", "worker.log")

jar = http.cookiejar.CookieJar()
opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))


def call(method, path, body=None, headers=None, raw=None):
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    request = urllib.request.Request(BASE + path, data=data, method=method, headers=headers or {})
    if body is not None:
        request.add_header("Content-Type", "application/json")
    csrf = next((c.value for c in jar if c.name == "csrf_token"), None)
    if csrf and method != "GET":
        request.add_header("X-CSRF-Token", csrf)
    with opener.open(request) as response:
        return json.loads(response.read() or b"null")


def sign_in():
    email = f"bench-media-{secrets.token_hex(4)}@example.com"
    call("POST", "/v1/auth/magic-link", {"email": email})
    code = next(m["notes"]["code"] for m in call("GET", "/v1/dev/outbox")["messages"] if m["to"] == email)
    call("POST", "/v1/auth/magic-link/verify", {"email": email, "code": code})


def wait_done(job_id, timeout=300):
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        state = call("GET", f"/v1/video/jobs/{job_id}")
        if state["status"] == "done":
            return
        if state["status"] == "failed":
            raise RuntimeError(f"job {job_id} failed: {state.get('error')}")
        time.sleep(0.1)
    raise RuntimeError(f"job {job_id} did not finish")


def run_ms(job_id):
    for _ in range(50):
        with open(WORKER_LOG, encoding="utf-8") as log:
            for line in log:
                if f'"job_id":"{job_id.lower()}"' in line and '"msg":"job done"' in line:
                    return int(json.loads(line)["run_ms"])
        time.sleep(0.1)
    return None


def upload(path):
    boundary = secrets.token_hex(8)
    with open(path, "rb") as f:
        payload = f.read()
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"clip.mp4\"\r\n"
            f"Content-Type: video/mp4\r\n\r\n").encode() + payload + f"\r\n--{boundary}--\r\n".encode()
    stored = call("POST", "/v1/files", raw=body, headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    file_id = stored["file"]["id"]
    for _ in range(300):
        if call("GET", f"/v1/files/{file_id}")["file"]["status"] == "ready":
            return file_id
        time.sleep(0.1)
    raise RuntimeError("the clip was not promoted")


def measure(start):
    walls, runs = [], []
    for _ in range(RUNS):
        began = time.monotonic()
        job_id = start()
        wait_done(job_id)
        walls.append((time.monotonic() - began) * 1000)
        runs.append(run_ms(job_id))
    return walls, [r for r in runs if r is not None]


def row(name, walls, runs):
    p = lambda values, q: statistics.quantiles(values, n=20)[18] if len(values) >= 2 and q == 95 else statistics.median(values)
    return (f"| {name} | {len(walls)} | {statistics.median(runs):.0f} | {max(runs):.0f} | "
            f"{statistics.median(walls):.0f} | {max(walls):.0f} |")


def main():
    sign_in()
    demo = measure(lambda: call("POST", "/v1/video/generate", {"model": "demo-video", "prompt": "غروب الشمس فوق البحر الميت بألوان دافئة", "duration_s": 15})["job_id"])
    with tempfile.TemporaryDirectory() as scratch:
        clip = os.path.join(scratch, "clip.mp4")
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=25", "-f", "lavfi",
                        "-i", "sine=frequency=440", "-t", "30", "-pix_fmt", "yuv420p", "-c:v", "libx264", "-c:a", "aac",
                        "-shortest", clip], check=True)
        file_id = upload(clip)
    captions = [{"start": 6, "end": 9, "text": "مرحبًا بكم في عمّان"}, {"start": 9, "end": 12, "text": "هذا مقطع تجريبي"},
                {"start": 12, "end": 16, "text": "الترجمة مكتوبة بالعربية"}, {"start": 16, "end": 19, "text": "شكرًا للمشاهدة"}]
    edit = measure(lambda: call("POST", f"/v1/files/{file_id}/edit", {"start": 5, "end": 20, "captions": captions})["job"]["id"])
    lines = ["| job | runs | worker run p50 (ms) | worker run max (ms) | request → file p50 (ms) | request → file max (ms) |",
             "|---|---|---|---|---|---|",
             row("demo video, 15 s 720p H.264 with Arabic text", *demo),
             row("edit: trim 30 s 720p clip to 15 s + 4 Arabic captions + poster", *edit),
             "",
             f"Run on {datetime.date.today()} ({os.cpu_count()} cores, {platform.machine()}) against `scripts/dev_bootstrap.sh` "
             "(debug build; the time is ffmpeg's), one job at a time, worker concurrency as configured."]
    table = "\n".join(lines)
    print(table)
    if "--write" in sys.argv:
        path = os.path.join(os.path.dirname(__file__), "..", "docs", "BENCHMARKS.md")
        text = open(path, encoding="utf-8").read()
        block = f"<!-- media-bench:start -->\n{table}\n<!-- media-bench:end -->"
        if "<!-- media-bench:start -->" in text:
            text = re.sub(r"<!-- media-bench:start -->.*?<!-- media-bench:end -->", lambda _: block, text, flags=re.S)
        else:
            text += ("\n## Video jobs\n\n`python3 bench/media_bench.py http://127.0.0.1:8080 --write` against "
                     "`scripts/dev_bootstrap.sh`: the offline demo video and a trim with burned-in captions, "
                     "timed by the worker and from the request.\n\n" + block + "\n")
        open(path, "w", encoding="utf-8").write(text)


if __name__ == "__main__":
    main()
