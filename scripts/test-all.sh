#!/usr/bin/env bash
# Every test: types, lint, unit tests (Vitest, Node) and end-to-end tests (Playwright on the built app),
# then one closing line counting them all.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-chromium.sh
mkdir -p .cache
rm -f .cache/vitest-report.json .cache/playwright-report.json
echo "== typecheck"; npx tsc -p tsconfig.json --noEmit
echo "== lint"; npx eslint .
echo "== unit tests"
npx vitest run --reporter=default --reporter=json --outputFile.json=.cache/vitest-report.json
echo "== build"; npx vite build
echo "== end-to-end tests"
npx playwright test
node scripts/test-summary.mjs
