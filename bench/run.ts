// `npm run bench [-- --suite NAME] [--quick]`: runs benchmark suites and records them in BENCHMARKS.md.
import path from 'node:path'
import { parseArgs } from 'node:util'
import { fileURLToPath } from 'node:url'
import { recordSuite, rowsToMarkdown, type BenchRow } from './harness.ts'
import * as forward from './suites/forward.ts'
import * as saeTrain from './suites/saeTrain.ts'

interface Suite {
  title: string
  intro: string
  run: (opts: { quick: boolean }) => Promise<BenchRow[]>
}

const suites: Readonly<Record<string, Suite>> = Object.freeze({ forward, 'sae-train': saeTrain })

const { values } = parseArgs({
  options: { suite: { type: 'string', multiple: true }, quick: { type: 'boolean', default: false } },
})
const chosen = values.suite ?? Object.keys(suites)
const file = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../BENCHMARKS.md')

for (const name of chosen) {
  const suite = suites[name]
  if (!suite) {
    process.stderr.write(`Unknown suite "${name}"; suites: ${Object.keys(suites).join(', ')}\n`)
    process.exit(2)
  }
  process.stderr.write(`bench: ${name}${values.quick ? ' (quick shapes, not recorded)' : ''}\n`)
  const rows = await suite.run({ quick: values.quick })
  process.stdout.write(`${rowsToMarkdown(rows)}\n`)
  // Quick runs use toy shapes to check the harness; only full runs are recorded.
  if (!values.quick) await recordSuite(file, name, suite.title, suite.intro, rows)
}
