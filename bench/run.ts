// `npm run bench [-- --suite NAME] [--quick] [--no-record]`: runs benchmark suites and records them in BENCHMARKS.md.
import path from 'node:path'
import { parseArgs } from 'node:util'
import { fileURLToPath } from 'node:url'
import { recordSuite, rowsToMarkdown, type BenchRow } from './harness.ts'
import * as analysis from './suites/analysis.ts'
import * as browserEngines from './suites/browserEngines.ts'
import * as browserTrain from './suites/browserTrain.ts'
import * as coldStart from './suites/coldStart.ts'
import * as engines from './suites/engines.ts'
import * as forward from './suites/forward.ts'
import * as onnxDtypes from './suites/onnxDtypes.ts'
import * as saeTrain from './suites/saeTrain.ts'

interface Suite {
  title: string
  intro: string
  run: (opts: { quick: boolean }) => Promise<BenchRow[]>
  /** What is missing for this suite to run (e.g. the built app), or null; checked for every chosen suite first. */
  unmet?: () => string | null
}

const suites: Readonly<Record<string, Suite>> = Object.freeze({ forward, engines, 'onnx-dtypes': onnxDtypes, 'sae-train': saeTrain, analysis, 'cold-start': coldStart, 'browser-train': browserTrain, 'browser-engines': browserEngines })

const { values } = parseArgs({
  options: {
    suite: { type: 'string', multiple: true },
    quick: { type: 'boolean', default: false },
    // Full shapes, printed only: for checking a suite on a machine whose figures should not be kept (a busy one).
    'no-record': { type: 'boolean', default: false },
  },
})
const chosen = values.suite ?? Object.keys(suites)
const file = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../BENCHMARKS.md')

for (const name of chosen) {
  const suite = suites[name]
  if (!suite) {
    process.stderr.write(`Unknown suite "${name}"; suites: ${Object.keys(suites).join(', ')}\n`)
    process.exit(2)
  }
  // Before any suite runs: a long run should not fail at its last suite for want of a build.
  const unmet = suite.unmet?.()
  if (unmet) {
    process.stderr.write(`Suite "${name}" cannot run: ${unmet}\n`)
    process.exit(2)
  }
}

for (const name of chosen) {
  const suite = suites[name]!
  const record = !values.quick && !values['no-record']
  process.stderr.write(`bench: ${name}${values.quick ? ' (quick shapes, not recorded)' : record ? '' : ' (not recorded)'}\n`)
  const rows = await suite.run({ quick: values.quick })
  process.stdout.write(`${rowsToMarkdown(rows)}\n`)
  // Quick runs use toy shapes to check the harness; only full runs are recorded, unless told not to be.
  if (record) await recordSuite(file, name, suite.title, suite.intro, rows)
}
