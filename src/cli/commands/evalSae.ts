// `monoscope eval-sae`: an SAE's metrics on held-out tokens — sparsity, reconstruction, density, CE loss recovered —
// and, on TinyWorld, how well its features recover the planted concepts.
import * as tf from '@tensorflow/tfjs'
import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { InvalidArgumentError } from '../../core/errors.ts'
import { windowActivations } from '../../core/sae/activationStore.ts'
import { evaluateConcepts, type ConceptEvaluation } from '../../core/sae/conceptEvaluation.ts'
import type { ProbeCeiling } from '../../core/sae/conceptProbes.ts'
import { SparseActsBuilder } from '../../core/sae/groundTruth.ts'
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
import { conceptCatalogue } from '../../core/world/catalogue.ts'
import { worldVocab } from '../../core/world/tokenizerJson.ts'
import { parseIntFlag } from '../args.ts'
import { loadModelFromSpec } from '../loadModelFromSpec.ts'
import { loadSaeFromSpec } from './features.ts'
import { saeCorpusWindows } from '../saeCorpus.ts'

export const evalSaeUsage = `monoscope eval-sae [--model SRC] --sae SRC [--hook NAME] [--tokens N] [--seed S] [--text-file FILE] [--out FILE] [--json]
  Measures the SAE on N tokens (default 20,000): L0, MSE, FVU / variance explained, dead and dense fractions, the
  log-density histogram and CE loss recovered; on TinyWorld (labelled documents from --seed, held out from training)
  also each planted concept's best feature with AUROC, F1, precision and recall, and the fraction recovered (AUROC
  ≥ 0.95; span concepts scored from their first cue word on); the probe ceiling (held-out and cross-language
  logistic probes on the hook's activations), recovery among the concepts the model represents (transfer ≥ 0.95)
  by scope and hierarchy level, the smallest feature family recovering each concept, absorption along the concept
  hierarchy, and random word-group controls. Fields: src/core/sae/EVAL_REPORT.md.
  Prints a summary (JSON with --json) and writes the JSON report to --out.`

/** TinyWorld evaluation documents come from seeds far from train-sae's streams (data seeds count up from 0). */
export const EVAL_SEED = 3_000_000_019

let probeMemo: { key: string; ceilings: ProbeCeiling[] | null } | null = null

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
    const { windows, concepts, labels, skipFirst } = await saeCorpusWindows(model, tokenizer, sae, { seed, tokens: nTokens, textFile: values['text-file'] })

    const dSae = sae.config.dSae
    const counts = new Float64Array(dSae)
    const sparse = concepts ? new SparseActsBuilder(dSae) : null
    let sums: ReconstructionSums | null = null
    let rows = 0
    // The activations themselves, for the probe ceilings ([rows, dIn] per batch; 40k tokens × 128 floats is 20 MB).
    const xChunks: Float32Array[] = []
    for (let i = 0; i < windows.length; i += 8) {
      const x = await windowActivations(model, hook, windows.slice(i, i + 8), { skipFirst }) // [rows, dIn]
      const out = sae.run(x)
      const s = reconstructionSums(x, out.reconstruction)
      sums = sums ? addReconstructionSums(sums, s) : s
      ;(await fireCounts(out.featureActs)).forEach((v, j) => (counts[j]! += v))
      sparse?.addRows(out.featureActs.dataSync(), x.shape[0])
      if (sparse) xChunks.push(x.dataSync() as Float32Array)
      rows += x.shape[0]
      tf.dispose([x, out.featureActs, out.reconstruction, out.error])
      if (values.verbose) process.stderr.write(`\r  encoding: ${rows} tokens`)
    }
    if (values.verbose) process.stderr.write('\n')
    const ce = await spliceCrossEntropy(model, sae, hook, windows, { keepFirstPosition: skipFirst })
    const density = featureDensity(counts, rows)
    let groundTruth: (ConceptEvaluation & { sampleSeed: number }) | null = null
    if (sparse && concepts && labels) {
      if (values.verbose) process.stderr.write('  scoring concepts, probes, families, absorption and controls\n')
      const x = new Float32Array(rows * sae.config.dIn)
      let at = 0
      for (const chunk of xChunks) {
        x.set(chunk, at)
        at += chunk.length
      }
      const vocab = worldVocab()
      const isWord = (id: number) => !vocab[id]!.startsWith('<') && /^\p{L}/u.test(vocab[id]!.replace(/^##/, ''))
      // The probes depend on the model, hook and sample, not on the SAE: build-world-saes evaluates its SAEs in one
      // process and fits them once.
      const key = `${source.description}|${hook}|${seed}|${rows}`
      const reuse = probeMemo?.key === key ? probeMemo.ceilings : null
      const { ceilingsUsed, ...evaluation } = evaluateConcepts({ acts: sparse.build(), x, dIn: sae.config.dIn, labels, catalogue: conceptCatalogue(), isWord, controlSeed: seed, ceilings: reuse })
      probeMemo = { key, ceilings: ceilingsUsed ?? null }
      groundTruth = { sampleSeed: seed, ...evaluation }
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
  groundTruth: ConceptEvaluation | null
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
  if (g) lines.push(...groundTruthLines(g))
  return `${lines.join('\n')}\n`
}

const f3 = (v: number | null | undefined) => (v === null || v === undefined || !Number.isFinite(v) ? '-' : v.toFixed(3))
const f2 = (v: number | null | undefined) => (v === null || v === undefined || !Number.isFinite(v) ? '-' : v.toFixed(2))

/** min / median / max of the finite values. */
function spread(xs: readonly (number | null)[]): string {
  const v = xs.filter((x): x is number => x !== null && Number.isFinite(x)).sort((a, b) => a - b)
  if (v.length === 0) return 'n/a'
  return `${v[0]!.toFixed(3)} / ${v[Math.floor(v.length / 2)]!.toFixed(3)} / ${v.at(-1)!.toFixed(3)}`
}

function groundTruthLines(g: ConceptEvaluation): string[] {
  const lines = [
    `Ground truth (TinyWorld, ${g.tokens} tokens; span concepts from their first cue on): ${g.recovered}/${g.evaluated} concepts recovered by one feature (AUROC ≥ ${g.aurocThreshold}) = ${pct(g.fractionRecovered)}`,
  ]
  const per = g.byLanguage.map((l) => `${l.name ?? l.language} ${l.recovered}/${l.evaluated}`).join(', ')
  lines.push(`  within each language: ${per}; recovered in every language they occur in: ${g.everyLanguage.recovered}/${g.everyLanguage.evaluated} = ${pct(g.everyLanguage.fraction)}`)
  lines.push(`  represented = transfer probe (fit on two languages, scored on the third; ${g.transferAggregate} of the rotations) ≥ ${g.representedAuroc}; family = sum of the top k ≤ ${g.maxK} features`)
  lines.push(`  ${'group'.padEnd(11)} ${'concepts'.padStart(8)} ${'represented'.padStart(11)} ${'recovered'.padStart(9)} ${'rec./repr.'.padStart(10)} ${'family/repr.'.padStart(12)}`)
  for (const t of g.tallies) {
    lines.push(`  ${t.group.padEnd(11)} ${String(t.concepts).padStart(8)} ${String(t.represented ?? '-').padStart(11)} ${String(t.recovered).padStart(9)} ${`${t.recoveredOfRepresented ?? '-'}/${t.represented ?? '-'}`.padStart(10)} ${`${t.familyOfRepresented ?? '-'}/${t.represented ?? '-'}`.padStart(12)}`)
  }
  lines.push(`  controls (${g.controls.length} random word groups shaped like the word concepts), min / median / max:`)
  lines.push(`    probe held out ${spread(g.controls.map((c) => c.heldOut))}; transfer ${spread(g.controls.map((c) => c.transferMin))}`)
  lines.push(`    best feature ${spread(g.controls.map((c) => c.bestFeatureAuroc))}; top-5 union ${spread(g.controls.map((c) => c.aurocByK[4] ?? null))}; recovered by one feature ${g.controls.filter((c) => (c.bestFeatureAuroc ?? 0) >= g.aurocThreshold).length}, by a family ${g.controls.filter((c) => c.smallestRecovering !== null).length}`)
  for (const a of g.absorption.summary) {
    lines.push(`  absorption (${a.kind === 'concept' ? 'parent → child concept' : 'concept → its words in one language'}, ${a.pairs} pairs): parent feature silent ${pct(a.meanParentSilent)}, while the child's best feature fires ${pct(a.meanAbsorbed)}, while one of its features fires ${pct(a.meanAbsorbedByFamily)}`)
  }
  lines.push(`  ${'concept'.padEnd(18)} ${'freq'.padStart(8)} ${'feature'.padStart(7)} ${'AUROC'.padStart(6)} ${'prec'.padStart(5)} ${'rec'.padStart(5)} ${'k*'.padStart(3)} ${'probe'.padStart(6)} ${'transf'.padStart(6)}`)
  for (const c of g.concepts) {
    const f = c.bestFeature === null ? '-' : String(c.bestFeature)
    const marks = `${c.recovered ? ' ✓' : ''}${c.represented ? ' R' : ''}`
    lines.push(
      `  ${(c.name ?? String(c.concept)).padEnd(18)} ${c.frequency.toExponential(1).padStart(8)} ${f.padStart(7)} ${f3(c.auroc).padStart(6)} ${f2(c.precision).padStart(5)} ${f2(c.recall).padStart(5)} ${String(c.family?.smallestRecovering ?? '-').padStart(3)} ${f3(c.probe?.heldOut).padStart(6)} ${f3(c.probe?.transferMin).padStart(6)}${marks}`,
    )
  }
  lines.push('  (✓ recovered by one feature; R represented; k* smallest recovering family; prec/rec of the best feature firing)')
  return lines
}
