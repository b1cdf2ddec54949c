# syntax=docker/dockerfile:1
# Worker: Redis-queue jobs; converts documents (LibreOffice) and video (ffmpeg).
# Build from the repository root: docker build -f docker/worker.Dockerfile -t aistudio-worker .

# The project is built with the Swift 6.3 toolchain (Package.swift needs tools 6.2 or newer).
# The tag is pinned; pass --build-arg SWIFT_IMAGE=swift:6.3.1-bookworm to pin a point release.
ARG SWIFT_IMAGE=swift:6.3-bookworm

# ------------------------------------------------------------------ build
FROM ${SWIFT_IMAGE} AS build

SHELL ["/bin/bash", "-o", "pipefail", "-c"]

RUN apt-get update \
    && apt-get install -y --no-install-recommends zlib1g-dev \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /build

# Dependencies resolve in their own layer, so a source change does not fetch them again.
COPY Package.swift ./
RUN swift package resolve

# The manifest declares the test targets too; SwiftPM needs their folders to load it.
COPY Sources ./Sources
COPY Tests ./Tests

RUN swift build -c release --product WorkerService --static-swift-stdlib

# Stage the binary, every resource bundle next to it (the static site) and the
# backtracer that prints a symbolicated trace if the process crashes.
RUN bin_path="$(swift build -c release --show-bin-path)" \
    && mkdir -p /staging \
    && cp "$bin_path/WorkerService" /staging/ \
    && find -L "$bin_path" -maxdepth 1 -type d -name '*.resources' -exec cp -Ra {} /staging/ \; \
    && cp /usr/libexec/swift/linux/swift-backtrace-static /staging/

# ------------------------------------------------------------------ runtime
FROM debian:bookworm-slim

# curl serves the HEALTHCHECK below; tzdata gives correct local times (Asia/Amman).
# ffmpeg, LibreOffice and the Arabic fonts (Amiri, Noto) turn documents into PDF and render video;
# poppler and tesseract (Arabic, English) read the text of uploaded PDFs, scanned pages too.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        ca-certificates \
        curl \
        ffmpeg \
        fonts-hosny-amiri \
        fonts-noto-core \
        libreoffice-impress-nogui \
        libreoffice-writer-nogui \
        poppler-utils \
        python3-uno \
        python3-venv \
        tesseract-ocr \
        tesseract-ocr-ara \
        tesseract-ocr-eng \
        tzdata \
        zlib1g \
    && rm -rf /var/lib/apt/lists/*

# unoserver keeps one LibreOffice warm for DOCX/PPTX → PDF. It must run on Debian's python3, the only
# one python3-uno works with, so its venv sees the system site-packages.
RUN python3 -m venv --system-site-packages /opt/office \
    && /opt/office/bin/pip install --no-cache-dir 'unoserver==3.7' \
    && /opt/office/bin/python -c 'import uno'

# The service runs unprivileged. It gets a writable home (LibreOffice keeps its profile there);
# /data/storage holds local-mode files and is a volume in docker-compose.yml.
RUN groupadd --system --gid 10001 studio \
    && useradd --system --uid 10001 --gid studio --create-home --home-dir /home/studio \
        --shell /usr/sbin/nologin studio \
    && mkdir -p /data/storage \
    && chown studio:studio /data/storage

WORKDIR /app
# Root-owned and read-only for the service user.
COPY --from=build /staging /app

# studio:studio by number, so a runtime can check that the user is not root.
USER 10001:10001

ENV PORT=8083 \
    UNOSERVER_BIN=/opt/office/bin/unoserver \
    SWIFT_BACKTRACE=enable=yes,sanitize=yes,threads=all,images=all,interactive=no,swift-backtrace=/app/swift-backtrace-static
EXPOSE 8083

HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
    CMD ["/bin/sh", "-c", "curl -fsS http://127.0.0.1:${PORT}/healthz || exit 1"]

ENTRYPOINT ["/app/WorkerService"]
