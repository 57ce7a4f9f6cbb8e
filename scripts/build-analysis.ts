// `npm run build:analysis`: regenerates the precomputed explorer data for every SAE in public/saes/tinyworld/index.json
// (summary + gzipped shards per SAE, with neighbours in every other listed SAE, offline explanations scored on
// held-out and random contexts) and the joint map of them all.
// Run it again whenever the index or the SAEs change. Usage: tsx scripts/build-analysis.ts [--index FILE] [--tokens N]
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { parseSaeIndex, saesBySize } from '../src/core/analysis/saeIndex.ts'

const root = path.resolve(import.meta.dirname, '..')
const { values } = parseArgs({
  options: { index: { type: 'string', default: 'public/saes/tinyworld/index.json' }, tokens: { type: 'string', default: '20000' } },
})
const publicDir = path.join(root, 'public')
const index = parseSaeIndex(JSON.parse(readFileSync(path.resolve(root, values.index!), 'utf8')))
const inPublic = (rel: string) => path.join(publicDir, rel)

// Sized for the repository: ~1.5 KB per feature gzipped (10 top examples, 6 quantiles × 2, 12-token contexts,
// 3 significant digits) keeps several SAEs within a few MB while each dashboard still has ~22 contexts.
const EXPLORER_SETTINGS = ['--top-k', '10', '--context-before', '8', '--context-after', '3', '--quantiles', '6', '--per-quantile', '2', '--digits', '3']

const saes = saesBySize(index)
saes.forEach((sae, i) => {
  if (sae.analysis === null) return
  const others = index.saes.filter((o) => o.id !== sae.id && o.hook_name === sae.hook_name).map((o) => `${o.id}=${inPublic(o.path)}`)
  const args = [
    path.join(root, 'bin/monoscope.mjs'),
    'analyze',
    '--model', inPublic(index.model),
    '--sae', inPublic(sae.path),
    '--id', sae.id,
    '--tokens', values.tokens!,
    '--out-dir', inPublic(sae.analysis),
    ...EXPLORER_SETTINGS,
    ...(others.length ? ['--others', others.join(',')] : []),
    // The joint map once, from the largest SAE's run (it lists every SAE of the hook).
    ...(index.map !== null && i === saes.length - 1 ? ['--map', inPublic(index.map)] : []),
  ]
  process.stderr.write(`build-analysis: ${sae.id} (${i + 1}/${saes.length})\n`)
  const run = spawnSync(process.execPath, args, { stdio: 'inherit', cwd: root })
  if (run.status !== 0) process.exit(run.status ?? 1)
})

// Offline explanations and their scores on every feature (src/core/autointerp): the app opens with them.
const analysed = saes.flatMap((s) => (s.analysis === null ? [] : ['--analysis', inPublic(s.analysis)]))
const report = path.join(path.dirname(inPublic(saes.find((s) => s.analysis !== null)!.path)), 'explanation_report.json')
const explain = spawnSync(process.execPath, [path.join(root, 'bin/monoscope.mjs'), 'explain', ...analysed, '--report', report], { stdio: 'inherit', cwd: root })
if (explain.status !== 0) process.exit(explain.status ?? 1)
