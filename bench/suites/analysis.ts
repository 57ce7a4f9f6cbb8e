// Analysis suite: what building an SAE's feature pages costs on the committed TinyWorld model and the index's
// largest SAE, next to the plain forward pass it wraps on the same windows, and UMAP layout time at 4k and 16k points.
import * as tf from '@tensorflow/tfjs'
import { analyzeSae, DEFAULT_ANALYSIS_OPTIONS } from '../../src/core/analysis/analyze.ts'
import type { DecoderSet } from '../../src/core/analysis/neighbours.ts'
import { umapLayout } from '../../src/core/analysis/umap.ts'
import { selectBackend } from '../../src/core/backend/backend.ts'
import { windowActivations } from '../../src/core/sae/activationStore.ts'
import { resolveSaeHook } from '../../src/core/sae/splice.ts'
import { conceptCatalogue, wordConceptIds } from '../../src/core/world/catalogue.ts'
import { saeCorpusWindows } from '../../src/cli/saeCorpus.ts'
import { loadCommittedDefault, type CommittedDefault } from '../committedDefault.ts'
import { time, type BenchRow } from '../harness.ts'

export const title = 'Feature analysis and UMAP (TinyWorld, Node)'
export const intro = [
  'The committed TinyWorld model and the largest SAE in public/saes/tinyworld/index.json, on labelled TinyWorld',
  'documents (the corpus `monoscope analyze` uses, seed 424242), one window per document, BOS skipped. tokens/s counts',
  "analysed tokens (BOS excluded) for every row. Forward = `collectActivations` up to the SAE's hook, in the analysis's",
  `batches of ${DEFAULT_ANALYSIS_OPTIONS.windowsPerPass} padded windows, read back; statistics pass = \`analyzeSae\` without logits,`,
  'neighbours or concepts (model + SAE encode + top-k heaps + histograms + quantile samples); full pages = `analyzeSae`',
  "as the CLI runs it. UMAP = `umapLayout` (exact cosine kNN, 15 neighbours, umap-js's default epochs) of that many",
  'decoder directions.',
].join(' ')

interface Shape {
  tokens: number
  umapSizes: number[]
  /** undefined: umap-js's default, as the app and the CLI run it. */
  umapEpochs: number | undefined
  warmup: number
  repeats: number
}

/** 20k tokens: `monoscope analyze`'s and `npm run build:analysis`'s default corpus size. */
const FULL: Shape = { tokens: 20_000, umapSizes: [4096, 16_384], umapEpochs: undefined, warmup: 1, repeats: 3 }
/** Tiny shapes and few epochs: checks the suite end to end in seconds; never recorded. */
const QUICK: Shape = { tokens: 600, umapSizes: [256, 512], umapEpochs: 20, warmup: 1, repeats: 1 }
const CORPUS_SEED = 424_242 // `monoscope analyze`'s default: a labelled sample apart from the training streams

export async function run(opts: { quick: boolean }): Promise<BenchRow[]> {
  const shape = opts.quick ? QUICK : FULL
  await selectBackend(['wasm'])
  const d = await loadCommittedDefault()
  try {
    return [...(await throughputRows(d, shape)), ...(await umapRows(d, shape))]
  } finally {
    d.dispose()
  }
}

async function throughputRows(d: CommittedDefault, shape: Shape): Promise<BenchRow[]> {
  const { model, tokenizer } = d.loaded
  const hook = resolveSaeHook(model, d.sae, d.entry.hook_name)
  const corpus = await saeCorpusWindows(model, tokenizer, d.sae, { seed: CORPUS_SEED, tokens: shape.tokens })
  const windows = corpus.windows
  const nTokens = windows.reduce((a, w) => a + w.length - (corpus.skipFirst ? 1 : 0), 0)
  const perPass = DEFAULT_ANALYSIS_OPTIONS.windowsPerPass
  const what = `${d.entry.id} (d_sae ${d.entry.d_sae}), ${nTokens} tokens in ${windows.length} windows`
  const timing = { warmup: shape.warmup, repeats: shape.repeats }
  const base = { suite: 'analysis', engine: 'tfjs-wasm', metric: 'tokens/s' }

  const forward = await time(async () => {
    for (let w0 = 0; w0 < windows.length; w0 += perPass) {
      const x = await windowActivations(model, hook, windows.slice(w0, w0 + perPass), { skipFirst: corpus.skipFirst }) // [rows, dModel]
      await x.data() // read back like the analysis does, so a lazy backend cannot skip the work
      x.dispose()
    }
  }, timing)

  const statsOnly = { ...DEFAULT_ANALYSIS_OPTIONS, skipFirst: corpus.skipFirst, logitK: 0, neighbourK: 0 }
  const stats = await time(async () => {
    await analyzeSae({ model, sae: d.sae, saeId: d.entry.id, hook, windows, options: statsOnly })
  }, timing)

  const labels = corpus.concepts ? { concepts: corpus.concepts, names: conceptCatalogue().concepts.map((c) => c.name), wordConcepts: wordConceptIds() } : null
  const full = await time(async () => {
    await analyzeSae({ model, sae: d.sae, saeId: d.entry.id, hook, windows, tokenizer, labels, others: d.others, options: { skipFirst: corpus.skipFirst } })
  }, timing)
  const extras = [labels ? 'concept AUROC/F1' : null, 'logit effects (top 10 each way)', `decoder neighbours (top 10, in ${1 + d.others.length} SAE${d.others.length ? 's' : ''})`, 'vocab table']
    .filter((x) => x !== null)
    .join(', ')

  const tps = (ms: number) => (1000 * nTokens) / ms
  const vs = (ms: number) => `${(ms / forward.medianMs).toFixed(1)}× the forward time`
  const median = (t: { medianMs: number; runs: number }) => `${t.medianMs.toFixed(0)} ms median of ${t.runs}`
  process.stderr.write(`  analysis: forward ${forward.medianMs.toFixed(0)} ms, statistics ${stats.medianMs.toFixed(0)} ms, full ${full.medianMs.toFixed(0)} ms\n`)
  return [
    { ...base, case: 'forward to the hook', value: tps(forward.medianMs), detail: `${what}; ${hook}; ${median(forward)}` },
    {
      ...base,
      case: 'analysis: statistics pass',
      value: tps(stats.medianMs),
      detail: `${what}; model + encode + top-${statsOnly.topK} heaps + histograms + ${statsOnly.quantiles}×${statsOnly.perQuantile} quantile samples; ${median(stats)}; ${vs(stats.medianMs)}`,
    },
    { ...base, case: 'analysis: full pages', value: tps(full.medianMs), detail: `${what}; statistics pass + ${extras}; ${median(full)}; ${vs(full.medianMs)}` },
  ]
}

async function umapRows(d: CommittedDefault, shape: Shape): Promise<BenchRow[]> {
  const dIn = d.sae.config.dIn
  // The committed map's own input first (the largest SAE's decoder), then each target size.
  const cases: { n: number; set: () => DecoderSet; source: string; owned: boolean }[] = [
    { n: d.entry.d_sae, set: () => ({ id: d.entry.id, wDec: d.sae.weights.wDec }), source: `${d.entry.id}'s decoder`, owned: false },
  ]
  for (const n of shape.umapSizes) {
    // A listed SAE of exactly this size gives real directions; otherwise random ones of the same width.
    const real = [d.sae, ...d.others.map((o) => o.sae)].find((s) => s.config.dSae === n && s.config.dIn === dIn)
    cases.push(
      real
        ? { n, set: () => ({ id: `sae-${n}`, wDec: real.weights.wDec }), source: 'a listed SAE\'s decoder', owned: false }
        : { n, set: () => ({ id: `random-${n}`, wDec: tf.randomNormal([n, dIn], 0, 1, 'float32', n) as tf.Tensor2D }), source: `random unit vectors, d_in ${dIn} (no listed SAE has ${n} features)`, owned: true },
    )
  }
  const rows: BenchRow[] = []
  for (const c of cases) {
    const set = c.set()
    let knnMs = NaN
    try {
      // One run: a 16k layout takes minutes on 2 cores, and its randomness is seeded, so repeats vary little.
      const t = await time(async () => {
        const t0 = performance.now()
        const onProgress = (f: number) => {
          // umapLayout gives the kNN graph the first fifth of its progress (KNN_SHARE), the epochs the rest.
          if (f >= 0.2 && Number.isNaN(knnMs)) knnMs = performance.now() - t0
        }
        await umapLayout([set], { seed: 0, onProgress, ...(shape.umapEpochs !== undefined ? { nEpochs: shape.umapEpochs } : {}) })
      }, { warmup: 0, repeats: 1 })
      rows.push({
        suite: 'analysis',
        case: `UMAP ${c.n} features`,
        engine: 'tfjs-wasm + umap-js',
        metric: 'seconds',
        value: t.medianMs / 1000,
        detail: `${c.source}; kNN graph ${(knnMs / 1000).toFixed(1)} s, then ${shape.umapEpochs ?? "umap-js's default"} epochs`,
      })
      process.stderr.write(`  analysis/umap ${c.n}: ${(t.medianMs / 1000).toFixed(1)} s\n`)
    } finally {
      if (c.owned) set.wDec.dispose()
    }
  }
  return rows
}
