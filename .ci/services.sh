#!/usr/bin/env bash
# Start the services tests use, on loopback only. Each .ci/services/*.sh starts one and is idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
for s in .ci/services/*.sh; do
  [ -e "$s" ] || continue
  echo "services: $s"
  bash "$s"
done
