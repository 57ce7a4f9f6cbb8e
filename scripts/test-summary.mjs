// Prints one closing line for the whole test run, from Vitest's and Playwright's JSON reports:
// "Summary: N passed, N failed, N skipped".
import { readFileSync, existsSync } from 'node:fs'

let passed = 0
let failed = 0
let skipped = 0
const read = (file) => (existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : null)

const vitest = read('.cache/vitest-report.json')
if (vitest) {
  passed += vitest.numPassedTests ?? 0
  failed += vitest.numFailedTests ?? 0
  skipped += (vitest.numPendingTests ?? 0) + (vitest.numTodoTests ?? 0)
} else failed += 1

const playwright = read('.cache/playwright-report.json')
if (playwright) {
  passed += playwright.stats?.expected ?? 0
  failed += (playwright.stats?.unexpected ?? 0) + (playwright.stats?.flaky ?? 0)
  skipped += playwright.stats?.skipped ?? 0
} else failed += 1

console.log(`Summary: ${passed} passed, ${failed} failed, ${skipped} skipped`)
process.exit(failed > 0 ? 1 : 0)
