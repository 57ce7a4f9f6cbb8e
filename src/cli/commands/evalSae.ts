// `monoscope eval-sae`: an SAE's metrics on held-out tokens — sparsity, reconstruction, density, CE loss recovered —
// and, on TinyWorld, how well its features recover the planted concepts.
import * as tf from '@tensorflow/tfjs'
import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { InvalidArgumentError } from '../../core/errors.ts'
import { windowActivations } from '../../core/sae/activationStore.ts'
import { recoveredInEveryLanguage, recoveryByLanguage, scoreConcepts, SparseActsBuilder, type GroundTruthReport, type LanguageRecovery } from '../../core/sae/groundTruth.ts'
import {
  addReconstructionSums,
  deadFraction,
  denseFraction,
  featureDensity,
  fireCounts,
  logDensityHistogram,
  reconstructionMetrics,
  reconstructionSums,
  type ReconstructionSums,
} from '../../core/sae/metrics.ts'
import type { Sae } from '../../core/sae/sae.ts'
import { resolveSaeHook, spliceCrossEntropy } from '../../core/sae/splice.ts'
import { conceptCatalogue, wordConceptIds } from '../../core/world/catalogue.ts'
import { parseIntFlag } from '../args.ts'
import { loadModelFromSpec } from '../loadModelFromSpec.ts'
import { loadSaeFromSpec } from './features.ts'
import { saeCorpusWindows } from '../saeCorpus.ts'

export const evalSaeUsage = `monoscope eval-sae [--model SRC] --sae SRC [--hook NAME] [--tokens N] [--seed S] [--text-file FILE] [--out FILE] [--json]
  Measures the SAE on N tokens (default 20,000): L0, MSE, FVU / variance explained, dead and dense fractions, the
  log-density histogram and CE loss recovered; on TinyWorld (labelled documents from --seed, held out from training)
  also each planted concept's best feature with AUROC and F1, and the fraction recovered (AUROC ≥ 0.95).
  Prints a summary (JSON with --json) and writes the JSON report to --out.`

/** TinyWorld evaluation documents come from seeds far from train-sae's streams (data seeds count up from 0). */
export const EVAL_SEED = 3_000_000_019

export async function evalSaeCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      model: { type: 'string' },
      sae: { type: 'string' },
      hook: { type: 'string' },
      tokens: { type: 'string' },
      seed: { type: 'string' },
      'text-file': { type: 'string' },
      out: { type: 'string' },
      json: { type: 'boolean', default: false },
      verbose: { type: 'boolean', short: 'v', default: false },
    },
    strict: true,
  })
  if (values.sae === undefined) throw new InvalidArgumentError('eval-sae needs --sae SRC (an SAELens folder)')
  const nTokens = parseIntFlag('tokens', values.tokens, 20_000, 1)
  const seed = parseIntFlag('seed', values.seed, EVAL_SEED, 0)

  const { model, tokenizer, source } = await loadModelFromSpec(values.model, { verbose: values.verbose })
  let sae: Sae | null = null
  try {
    sae = await loadSaeFromSpec(values.sae, { verbose: values.verbose })
    const hook = resolveSaeHook(model, sae, values.hook)
    const { windows, concepts, skipFirst } = await saeCorpusWindows(model, tokenizer, sae, { seed, tokens: nTokens, textFile: values['text-file'] })

    const dSae = sae.config.dSae
    const counts = new Float64Array(dSae)
    const sparse = concepts ? new SparseActsBuilder(dSae) : null
    let sums: ReconstructionSums | null = null
    let rows = 0
    for (let i = 0; i < windows.length; i += 8) {
      const x = await windowActivations(model, hook, windows.slice(i, i + 8), { skipFirst }) // [rows, dIn]
      const out = sae.run(x)
      const s = reconstructionSums(x, out.reconstruction)
      sums = sums ? addReconstructionSums(sums, s) : s
      ;(await fireCounts(out.featureActs)).forEach((v, j) => (counts[j]! += v))
      sparse?.addRows(out.featureActs.dataSync(), x.shape[0])
      rows += x.shape[0]
      tf.dispose([x, out.featureActs, out.reconstruction, out.error])
      if (values.verbose) process.stderr.write(`\r  encoding: ${rows} tokens`)
    }
    if (values.verbose) process.stderr.write('\n')
    const ce = await spliceCrossEntropy(model, sae, hook, windows, { keepFirstPosition: skipFirst })
    const density = featureDensity(counts, rows)
    let groundTruth: (GroundTruthReport & { sampleSeed: number; byLanguage: LanguageRecovery[]; everyLanguage: ReturnType<typeof recoveredInEveryLanguage> }) | null = null
    if (sparse && concepts) {
      const catalogue = conceptCatalogue()
      const names = catalogue.concepts.map((c) => c.name)
      const acts = sparse.build()
      const wordConcepts = wordConceptIds()
      const languages = catalogue.concepts.filter((c) => c.kind === 'language').map((c) => c.id)
      const byLanguage = recoveryByLanguage(acts, concepts, { nConcepts: names.length, languages, names, wordConcepts })
      groundTruth = { sampleSeed: seed, ...scoreConcepts(acts, concepts, { nConcepts: names.length, names, wordConcepts }), byLanguage, everyLanguage: recoveredInEveryLanguage(byLanguage) }
    }
    const report = {
      format: 'monoscope.sae-eval',
      version: 1,
      model: source.description,
      sae: { source: values.sae, architecture: sae.config.architecture, dIn: sae.config.dIn, dSae, hook },
      tokens: rows,
      l0: counts.reduce((a, b) => a + b, 0) / rows,
      ...reconstructionMetrics(sums!),
      deadFraction: deadFraction(density),
      denseFraction: denseFraction(density),
      densityHistogram: logDensityHistogram(density),
      ce,
      groundTruth,
    }
    if (values.out !== undefined) await writeFile(path.resolve(values.out), `${JSON.stringify(report, null, 2)}\n`)
    process.stdout.write(values.json ? `${JSON.stringify(report)}\n` : summary(report))
  } finally {
    sae?.dispose()
    model.dispose()
  }
}

const pct = (v: number | null | undefined) => (v === null || v === undefined || !Number.isFinite(v) ? 'n/a' : `${(100 * v).toFixed(1)}%`)

function summary(r: {
  sae: { architecture: string; dIn: number; dSae: number; hook: string; source: string }
  tokens: number
  l0: number
  mse: number
  fvu: number
  varianceExplained: number
  deadFraction: number
  denseFraction: number
  densityHistogram: { edges: number[]; counts: number[]; dead: number }
  ce: { clean: number; spliced: number; zeroAblated: number; ceLossRecovered: number | null }
  groundTruth: (GroundTruthReport & { byLanguage?: LanguageRecovery[]; everyLanguage?: { recovered: number; evaluated: number; fraction: number } }) | null
}): string {
  const lines = [
    `SAE ${r.sae.source}: ${r.sae.architecture}, ${r.sae.dIn} → ${r.sae.dSae} on ${r.sae.hook}; ${r.tokens} tokens`,
    `  L0 ${r.l0.toFixed(2)}   variance explained ${pct(r.varianceExplained)} (FVU ${r.fvu.toFixed(4)})   MSE ${r.mse.toPrecision(4)}`,
    `  dead ${pct(r.deadFraction)}   dense (> 10% of tokens) ${pct(r.denseFraction)}`,
    `  CE clean ${r.ce.clean.toFixed(4)}   spliced ${r.ce.spliced.toFixed(4)}   zero-ablated ${r.ce.zeroAblated.toFixed(4)}   recovered ${pct(r.ce.ceLossRecovered)}`,
    '  log10 density   latents',
  ]
  const h = r.densityHistogram
  const peak = Math.max(1, ...h.counts)
  for (let b = 0; b < h.counts.length; b += 4) {
    // Four bins to a line keeps the histogram to ten lines.
    const n = h.counts.slice(b, b + 4).reduce((a, c) => a + c, 0)
    lines.push(`  [${h.edges[b]!.toFixed(1).padStart(5)}, ${h.edges[Math.min(b + 4, h.counts.length)]!.toFixed(1).padStart(5)})  ${String(n).padStart(6)} ${'#'.repeat(Math.round((40 * n) / (4 * peak)))}`)
  }
  lines.push(`  dead            ${String(h.dead).padStart(6)}`)
  const g = r.groundTruth
  if (g) {
    lines.push(`Ground truth (TinyWorld, ${g.tokens} tokens): ${g.recovered}/${g.evaluated} concepts recovered (AUROC ≥ ${g.aurocThreshold}) = ${pct(g.fractionRecovered)}`)
    if (g.everyLanguage) {
      const per = (g.byLanguage ?? []).map((l) => `${l.name ?? l.language} ${l.recovered}/${l.evaluated}`).join(', ')
      lines.push(`  within each language: ${per}; recovered in every language they occur in: ${g.everyLanguage.recovered}/${g.everyLanguage.evaluated} = ${pct(g.everyLanguage.fraction)}`)
    }
    lines.push(`  ${'concept'.padEnd(20)} ${'freq'.padStart(8)} ${'feature'.padStart(8)} ${'AUROC'.padStart(7)} ${'F1'.padStart(6)}`)
    for (const c of g.concepts) {
      const f = c.bestFeature === null ? '-' : String(c.bestFeature)
      lines.push(`  ${(c.name ?? String(c.concept)).padEnd(20)} ${c.frequency.toExponential(1).padStart(8)} ${f.padStart(8)} ${(c.auroc?.toFixed(3) ?? '-').padStart(7)} ${(c.f1?.toFixed(3) ?? '-').padStart(6)}${c.recovered ? ' ✓' : ''}`)
    }
  }
  return `${lines.join('\n')}\n`
}
