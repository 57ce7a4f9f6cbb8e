#!/usr/bin/env bash
# Every test: types, lint, unit tests (Vitest, Node) and end-to-end tests (Playwright on the built app).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-chromium.sh
echo "== typecheck"; npx tsc -p tsconfig.json --noEmit
echo "== lint"; npx eslint .
echo "== unit tests"; npx vitest run
echo "== build"; npx vite build
echo "== end-to-end tests"; npx playwright test
