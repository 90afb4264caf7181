#!/usr/bin/env bash
# The k8s tier: deploy/kubernetes/ (DaemonSet, ConfigMap, image scripts,
# node-problem-detector config) checked against the daemon's real journal
# output of e2e incidents (tests/k8s/journal-sample.json). No network, no
# cluster; the entrypoint check needs root (skipped without).
# Usage: tests/k8s-config.sh [BIN] [--results DIR]   (BIN: build/thrashguard)
# Last line: "k8s: N passed, N failed".
set -u
cd "$(dirname "$0")/.."
bin=${1:-build/thrashguard}
[ $# -gt 0 ] && shift
exec python3 tests/k8s/check.py --bin "$bin" "$@"
