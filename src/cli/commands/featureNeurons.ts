// `monoscope feature-neurons`: for each SAE feature its most-correlated MLP neuron (any layer up to the SAE's hook)
// and the correlation, against a seeded sparsity-matched random baseline. Writes neurons_report.{json,md} and, per
// SAE, the per-feature table the dashboard reads (neurons/<sae>.json).
import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { FeatureNeuronCorrelation, PAPER_CUT, summarizeBest, type BestCorrelationSummary, type BestNeuron } from '../../core/analysis/featureNeurons.ts'
import { checkNeuronRows, neuronActivations } from '../../core/analysis/neuronActivations.ts'
import { correlateEncoded, sparsityMatchedBaseline } from '../../core/analysis/sparsityBaseline.ts'
import { FEATURE_NEURONS_FORMAT, featureNeuronsDir, type FeatureNeuronsFile } from '../../core/analysis/featureNeuronsFile.ts'
import { InvalidArgumentError } from '../../core/errors.ts'
import type { Sae } from '../../core/sae/sae.ts'
import { resolveSaeHook } from '../../core/sae/splice.ts'
import { parseIntFlag, parseNameList } from '../args.ts'
import { committedWorldSaeDirs, repoRoot } from '../defaults.ts'
import { loadModelFromSpec } from '../loadModelFromSpec.ts'
import { saeCorpusWindows } from '../saeCorpus.ts'
import { EVAL_SEED } from './evalSae.ts'
import { loadSaeFromSpec } from './features.ts'


export const featureNeuronsUsage = `monoscope feature-neurons [--model SRC] [--saes SRC,SRC…] [--tokens 20000] [--seed 1] [--text-file FILE] [--out DIR] [--json]
  For each SAE (default: every committed TinyWorld SAE in public/saes/tinyworld/index.json) and each feature, the MLP neuron (blocks.l.mlp.hook_post,
  every layer up to the SAE's hook) with the largest Pearson r over --tokens held-out tokens (eval-sae's), the
  histogram of those r and the share ≤ ${PAPER_CUT} (the paper: 82%); beside it the same for random directions, one per
  feature from --seed, each thresholded to fire on as many tokens as its feature. Writes neurons_report.{json,md} and
  neurons/<sae>.json to --out (default: beside the committed SAEs).`

interface SaeRow {
  sae: string
  architecture: string
  dSae: number
  hook: string
  tokens: number
  neurons: { layers: number[]; perLayer: number[] }
  features: BestCorrelationSummary
  baseline: BestCorrelationSummary
}

export async function featureNeuronsCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      model: { type: 'string' },
      saes: { type: 'string' },
      tokens: { type: 'string' },
      seed: { type: 'string' },
      'text-file': { type: 'string' },
      out: { type: 'string' },
      json: { type: 'boolean', default: false },
      verbose: { type: 'boolean', short: 'v', default: false },
    },
    strict: true,
  })
  const nTokens = parseIntFlag('tokens', values.tokens, 20_000, 2)
  const seed = parseIntFlag('seed', values.seed, 1, 0)
  const saeSpecs = values.saes === undefined ? committedWorldSaeDirs() : parseNameList(values.saes)
  if (saeSpecs.length === 0) throw new InvalidArgumentError('--saes needs at least one SAE')
  const outDir = path.resolve(values.out ?? path.join(repoRoot, 'public/saes/tinyworld/blocks.2.hook_resid_post'))
  const log = (s: string) => values.verbose && process.stderr.write(s)

  const { model, tokenizer, source } = await loadModelFromSpec(values.model, { verbose: values.verbose })
  try {
    const rows: SaeRow[] = []
    const perFeature: [string, FeatureNeuronsFile][] = []
    for (const spec of saeSpecs) {
      let sae: Sae | null = null
      try {
        sae = await loadSaeFromSpec(spec, { verbose: values.verbose })
        const s = sae
        const name = path.basename(spec)
        const hook = resolveSaeHook(model, s, undefined)
        checkNeuronRows(model, hook, nTokens)
        const { windows, skipFirst, description } = await saeCorpusWindows(model, tokenizer, s, { seed: EVAL_SEED, tokens: nTokens, textFile: values['text-file'] })
        const acts = await neuronActivations(model, hook, windows, { skipFirst, onBatch: (n) => log(`\r${name}: activations ${n} tokens`) })
        log('\n')
        const { dIn, dSae } = s.config
        const real: FeatureNeuronCorrelation = await correlateEncoded(acts.batches, acts.layout, dIn, dSae, (x) => s.encode(x), (k) => log(`\r${name}: SAE ${k}/${acts.batches.length}`))
        const base = await sparsityMatchedBaseline(acts.batches, acts.layout, dIn, real.fireCounts(), seed, (k) => log(`\r${name}: baseline ${k}/${acts.batches.length}`))
        log('\n')
        const best = real.best()
        rows.push({
          sae: name,
          architecture: s.config.architecture,
          dSae,
          hook,
          tokens: real.tokens,
          neurons: { layers: [...acts.layout.layers], perLayer: [...acts.layout.widths] },
          features: summarizeBest(best),
          baseline: summarizeBest(base.best()),
        })
        perFeature.push([name, featureFile(name, hook, description, real.tokens, best)])
      } finally {
        sae?.dispose()
      }
    }
    const report = {
      format: 'monoscope.neurons-report',
      version: 1,
      model: source.description,
      tokens: nTokens,
      corpusSeed: EVAL_SEED,
      baselineSeed: seed,
      statistic: 'per feature, max over neurons of Pearson r (signed); share of features with a best neuron whose r ≤ 0.3',
      baselineMethod: 'per feature, a seeded random unit direction in the SAE input space, ReLU(x·d − t) with t set so it fires on exactly as many tokens as the feature',
      saes: rows,
    }
    await mkdir(featureNeuronsDir(outDir), { recursive: true })
    for (const [name, file] of perFeature) await writeFile(path.join(featureNeuronsDir(outDir), `${name}.json`), `${JSON.stringify(file)}\n`)
    await writeFile(path.join(outDir, 'neurons_report.json'), `${JSON.stringify(report, null, 2)}\n`)
    const md = markdown(rows, { tokens: nTokens, seed })
    await writeFile(path.join(outDir, 'neurons_report.md'), md)
    process.stdout.write(values.json ? `${JSON.stringify(report)}\n` : md)
  } finally {
    model.dispose()
  }
}

/** The per-feature table, rounded to 3 decimals to keep a 4,096-feature file near 60 KB. */
function featureFile(sae: string, hook: string, corpus: string, tokens: number, best: readonly (BestNeuron | null)[]): FeatureNeuronsFile {
  return {
    format: FEATURE_NEURONS_FORMAT,
    version: 1,
    sae,
    hook,
    corpus,
    tokens,
    layer: best.map((b) => b?.layer ?? null),
    neuron: best.map((b) => b?.index ?? null),
    r: best.map((b) => (b === null ? null : Math.round(b.r * 1000) / 1000)),
  }
}

const pct = (v: number | null) => (v === null ? 'n/a' : `${(100 * v).toFixed(1)}%`)

function markdown(rows: readonly SaeRow[], opts: { tokens: number; seed: number }): string {
  const lines = [
    '# Features against neurons on TinyWorld',
    '',
    `Made by \`monoscope feature-neurons --tokens ${opts.tokens} --seed ${opts.seed}\`. For every SAE feature, the Pearson correlation with every MLP neuron (blocks.l.mlp.hook_post for each layer up to the SAE's hook) over held-out TinyWorld tokens (eval-sae's documents), and the largest r. "Scaling Monosemanticity" found the most-correlated neuron at r ≤ ${PAPER_CUT} for 82% of its features. The baseline gives each feature a seeded random direction in the SAE's input space, thresholded to fire on exactly as many tokens as the feature: the share a learnt feature would show by its sparsity alone. Features that never fired are left out of both.`,
    '',
    `| SAE | tokens | neurons | features with a best neuron | share r ≤ ${PAPER_CUT} | median r | baseline: share r ≤ ${PAPER_CUT} | baseline: median r |`,
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map(
      (r) =>
        `| ${r.sae} | ${r.tokens} | ${r.neurons.perLayer.reduce((a, b) => a + b, 0)} (layers ${r.neurons.layers.join(', ')}) | ${r.features.evaluated}/${r.features.features} | ${pct(r.features.fractionAtMost03)} | ${r.features.medianR?.toFixed(3) ?? 'n/a'} | ${pct(r.baseline.fractionAtMost03)} | ${r.baseline.medianR?.toFixed(3) ?? 'n/a'} |`,
    ),
    '',
    'Histogram of the best r (features per bin of 0.1; baseline in brackets):',
    '',
    `| bin | ${rows.map((r) => r.sae).join(' | ')} |`,
    `| --- | ${rows.map(() => '---:').join(' | ')} |`,
  ]
  const first = Math.min(...rows.flatMap((r) => [r.features.counts.findIndex((c) => c > 0), r.baseline.counts.findIndex((c) => c > 0)]).filter((k) => k >= 0))
  const edges = rows[0]?.features.edges ?? []
  for (let k = Number.isFinite(first) ? first : 10; k < edges.length; k++) {
    const lo = edges[k]!
    lines.push(`| [${lo.toFixed(1)}, ${(lo + 0.1).toFixed(1)}${k === edges.length - 1 ? ']' : ')'} | ${rows.map((r) => `${r.features.counts[k]} (${r.baseline.counts[k]})`).join(' | ')} |`)
  }
  lines.push('')
  return lines.join('\n')
}
