// `monoscope specificity-report`: for every planted TinyWorld concept, its best feature (highest AUROC) in each
// committed SAE and how specific that feature is — the share of its tokens that carry the concept from half its max
// activation up, and over all its tokens (the paper's specificity histograms, summarised). Reads the precomputed
// analysis (histogram.concept_counts); writes specificity_report.{json,md} beside the SAEs.
import { readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { decodeJsonBytes, parseFeatureShard, parseFeatureSummary, shardOf } from '../../core/analysis/featureFolder.ts'
import { parseSaeIndex } from '../../core/analysis/saeIndex.ts'
import { median } from '../../core/analysis/median.ts'
import { conceptShareFrom } from '../../core/analysis/specificity.ts'
import { repoRoot } from '../defaults.ts'

export const specificityReportUsage = `monoscope specificity-report [--index FILE] [--out DIR]
  For each planted concept, its best feature (AUROC) in each SAE of the index (default: the committed TinyWorld
  index) and the share of that feature's tokens carrying the concept from half its max activation up and overall,
  from the precomputed analysis. Writes specificity_report.{json,md} to --out (default: beside the committed SAEs).`

interface Row {
  concept: string
  feature: number
  auroc: number
  /** From half the feature's max activation up. */
  high: { tokens: number; present: number }
  all: { tokens: number; present: number }
}

const share = (s: { tokens: number; present: number }) => (s.tokens === 0 ? null : s.present / s.tokens)

export async function specificityReportCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { index: { type: 'string' }, out: { type: 'string' } }, strict: true })
  const indexFile = values.index ?? path.join(repoRoot, 'public/saes/tinyworld/index.json')
  const base = path.dirname(path.dirname(path.dirname(indexFile))) // index paths are relative to the app base (public/)
  const index = parseSaeIndex(JSON.parse(await readFile(indexFile, 'utf8')))
  const outDir = values.out ?? path.join(repoRoot, 'public/saes/tinyworld/blocks.2.hook_resid_post')
  const report: { sae: string; rows: Row[] }[] = []
  for (const entry of index.saes) {
    if (!entry.analysis) continue
    const dir = path.join(base, entry.analysis)
    const summary = parseFeatureSummary(JSON.parse(await readFile(path.join(dir, 'summary.json'), 'utf8')))
    // Each concept's best feature: among features whose best concept it is, the highest AUROC.
    const best = new Map<string, (typeof summary.features)[number]>()
    for (const f of summary.features) {
      const name = f.concept?.name ?? null
      if (name === null) continue
      if (!best.has(name) || best.get(name)!.concept!.auroc < f.concept!.auroc) best.set(name, f)
    }
    const rows: Row[] = []
    for (const [concept, f] of [...best].sort((a, b) => a[0].localeCompare(b[0]))) {
      const { shard, name } = shardOf(summary, f.index)
      const file = parseFeatureShard(await decodeJsonBytes(new Uint8Array(await readFile(path.join(dir, name)))), { saeId: summary.sae.id, shard, shardSize: summary.shard_size, dSae: summary.sae.d_sae })
      const page = file.features.find((p) => p.index === f.index)!
      rows.push({ concept, feature: f.index, auroc: f.concept!.auroc, high: conceptShareFrom(page.histogram, page.max_act / 2), all: conceptShareFrom(page.histogram, 0) })
    }
    report.push({ sae: entry.id.split('/').pop()!, rows })
  }
  await writeFile(path.join(outDir, 'specificity_report.json'), `${JSON.stringify({ format: 'monoscope.specificity-report', version: 1, saes: report }, null, 2)}\n`)
  const pct = (v: number | null) => (v === null ? '—' : `${(100 * v).toFixed(0)}%`)
  const lines = [
    '# Specificity of each concept\'s best feature',
    '',
    "Made by `monoscope specificity-report` from the committed analysis (`histogram.concept_counts`). For every planted concept that is some feature's best match, the feature with the highest AUROC for it, and the share of that feature's active tokens that carry the concept: from half its max activation up, and overall. A specific feature is high in the first column even when the second is low (it also fires weakly elsewhere).",
    '',
    '| SAE | concepts | median share from half max | median share overall | concepts ≥ 90% from half max |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...report.map(({ sae, rows }) => {
      const high = rows.map((r) => share(r.high)).filter((v): v is number => v !== null)
      const all = rows.map((r) => share(r.all)).filter((v): v is number => v !== null)
      return `| ${sae} | ${rows.length} | ${pct(median(high))} | ${pct(median(all))} | ${high.filter((v) => v >= 0.9).length} |`
    }),
  ]
  for (const { sae, rows } of report) {
    lines.push('', `## ${sae}`, '', '| concept | feature | AUROC | from half max | overall |', '| --- | ---: | ---: | ---: | ---: |')
    for (const r of rows) lines.push(`| ${r.concept} | ${r.feature} | ${r.auroc.toFixed(3)} | ${pct(share(r.high))} (${r.high.present}/${r.high.tokens}) | ${pct(share(r.all))} (${r.all.present}/${r.all.tokens}) |`)
  }
  const md = `${lines.join('\n')}\n`
  await writeFile(path.join(outDir, 'specificity_report.md'), md)
  process.stdout.write(`${lines.slice(0, 6 + report.length).join('\n')}\n`)
}
