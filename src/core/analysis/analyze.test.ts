// analyzeSae end to end on a tiny model: the file validates against its schema (and malformed ones fail with a
// message naming the field), parts are wired to the right features, planted concepts are matched, progress
// runs through the phases to 1, cancellation works in any phase, and repeated analyses leak no tensors.
import * as tf from '@tensorflow/tfjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { selectBackend } from '../backend/backend.ts'
import { CancelledError, InvalidArgumentError } from '../errors.ts'
import { createRng } from '../generate/rng.ts'
import type { HookedModel } from '../model/hookedModel.ts'
import type { Sae } from '../sae/sae.ts'
import { analyzeSae, type AnalysisPhase, type AnalyzeSaeArgs } from './analyze.ts'
import { AnalysisFormatError, parseFeatureAnalysis, type FeatureAnalysisFile } from './format.ts'
import { logitEffects, modelUnembedding } from './logitEffects.ts'
import { bruteForceActs, tinyModel, tinySae, tinyWindows, TINY_HOOK } from './testing/fixtures.ts'
import { MATRYOSHKA_WIDTHS_METADATA_KEY } from '../sae/matryoshka.ts'

let model: HookedModel
let sae: Sae
let other: Sae
let windows: number[][]
let planted: number // the feature concept 0 is planted on
let args: AnalyzeSaeArgs

beforeAll(async () => {
  await selectBackend(['wasm'])
  model = tinyModel()
  sae = tinySae(11)
  other = tinySae(40, 12)
  windows = tinyWindows(10, 6)
  const rows = (await bruteForceActs(model, sae, TINY_HOOK, windows)).flatMap((w) => w.slice(1))
  const counts = Array.from({ length: sae.config.dSae }, (_, j) => rows.filter((r) => r[j]! > 0).length)
  planted = counts.indexOf(Math.max(...counts))
  const rng = createRng(3)
  // Concept 0 exactly where the planted feature fires, concept 1 at random, concept 2 nowhere.
  const concepts = rows.map((r) => [...(r[planted]! > 0 ? [0] : []), ...(rng.next() < 0.3 ? [1] : [])])
  args = {
    model,
    modelId: 'tiny',
    sae,
    saeId: 'tiny/blocks.0.hook_resid_post/24',
    hook: TINY_HOOK,
    windows,
    corpusDescription: 'random windows',
    tokenizer: { decodeToken: (id) => `t${id}` },
    labels: { concepts, names: ['planted', 'noise', 'absent'] },
    others: [{ id: 'tiny/blocks.0.hook_resid_post/12', sae: other }],
    options: { topK: 3, contextBefore: 2, contextAfter: 1, quantiles: 3, perQuantile: 2, windowsPerPass: 4, logitK: 4, neighbourK: 3 },
  }
})

afterAll(() => {
  sae.dispose()
  other.dispose()
  model.dispose()
})

describe('analyzeSae', () => {
  let result: FeatureAnalysisFile
  // The edits reach anywhere into untyped JSON on purpose: that is what a malformed file is.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const bad = (edit: (f: any) => void): (() => unknown) => {
    const copy = JSON.parse(JSON.stringify(result)) as FeatureAnalysisFile
    edit(copy)
    return () => parseFeatureAnalysis(copy)
  }

  it('produces a file that validates, round-trips through JSON and wires every part to its feature', async () => {
    const phases: AnalysisPhase[] = []
    const fractions: number[] = []
    result = await analyzeSae({ ...args, onProgress: (f, p) => (fractions.push(f), phases.push(p)) })
    expect(parseFeatureAnalysis(JSON.parse(JSON.stringify(result)))).toEqual(result)
    expect(fractions.at(-1)).toBe(1)
    expect(fractions.every((f, i) => i === 0 || f >= fractions[i - 1]!)).toBe(true)
    expect([...new Set(phases)]).toEqual(['activations', 'ground-truth', 'logits', 'neighbours'])

    expect(result.features).toHaveLength(24)
    expect(result.corpus.tokens).toBe(windows.reduce((a, w) => a + w.length - 1, 0))
    const dead = result.features[0]!
    expect(dead).toMatchObject({ density: 0, max_act: 0, top_examples: [], quantile_examples: [], histogram: { edges: [], counts: [] }, concept: null, explanation: null })

    const f = result.features[planted]!
    expect(f.concept).toEqual({ id: 0, name: 'planted', auroc: 1, f1: 1 })
    expect(f.density).toBeCloseTo(f.active_tokens / result.corpus.tokens, 12)
    expect(f.histogram.counts.reduce((a, b) => a + b, 0)).toBe(f.active_tokens)
    // Concept 0 is planted exactly where the feature fires: every bin is wholly concept-present.
    expect(f.histogram.concept_counts).toEqual(f.histogram.counts)
    expect(dead.histogram.concept_counts).toBeNull()
    for (const g of result.features) g.histogram.concept_counts?.forEach((n, b) => expect(n).toBeLessThanOrEqual(g.histogram.counts[b]!))
    expect(result.vocab).toEqual(Array.from({ length: 50 }, (_, id) => `t${id}`))
    for (const e of [...f.top_examples, ...f.quantile_examples.flatMap((q) => q.examples)]) {
      expect(e.token_ids[e.token_index]).toBe(windows[e.window]![e.position])
      expect(e.values[e.token_index]).toBe(e.value)
      expect(e.value).toBe(Number(e.value.toPrecision(5))) // rounded to significantDigits
    }
    expect(Math.abs(f.top_examples[0]!.value - f.max_act) / f.max_act).toBeLessThan(1e-4)

    const direct = await logitEffects(sae.weights.wDec, modelUnembedding(model), { k: 4 })
    expect(f.logits!.promoted.ids).toEqual(Array.from(direct.promotedIds.subarray(planted * 4, planted * 4 + 4)))
    expect(f.logits!.suppressed.ids).toEqual(Array.from(direct.suppressedIds.subarray(planted * 4, planted * 4 + 4)))
    f.logits!.promoted.values.forEach((v, t) => expect(v).toBeCloseTo(direct.promotedValues[planted * 4 + t]!, 4))
    expect(f.neighbours.map((n) => [n.sae_id, n.indices.length])).toEqual([
      ['tiny/blocks.0.hook_resid_post/24', 3],
      ['tiny/blocks.0.hook_resid_post/12', 3],
    ])
    expect(f.neighbours[0]!.indices).not.toContain(planted)
  })

  it('stores random contexts with every feature\'s activations on them, as a brute-force pass gives them', async () => {
    const acts = await bruteForceActs(model, sae, TINY_HOOK, windows, false) // [window][position][feature], BOS row included
    const pool = result.random_contexts!
    expect(pool).toHaveLength(40)
    for (const c of pool) {
      expect(c.start).toBeGreaterThanOrEqual(1) // BOS is never a random token
      expect(c.token_ids).toEqual(windows[c.window]!.slice(c.start, c.start + c.token_ids.length))
      expect(c.token_ids.length).toBe(Math.min(4, windows[c.window]!.length - 1)) // contextBefore + 1 + contextAfter
    }
    let nonzero = 0
    for (const f of result.features) {
      const dense = pool.map((c) => new Array<number>(c.token_ids.length).fill(0))
      f.random_values!.context.forEach((c, i) => (dense[c]![f.random_values!.offset[i]!] = f.random_values!.value[i]!))
      pool.forEach((c, ci) =>
        dense[ci]!.forEach((v, k) => {
          const truth = Math.max(0, acts[c.window]![c.start + k]![f.index]!)
          if (truth > 0) nonzero++
          expect(v).toBeCloseTo(truth, 3)
        }),
      )
    }
    expect(nonzero).toBeGreaterThan(0) // the check compares real activations, not only zeros
    // Another seed draws other contexts; randomContexts: 0 stores none.
    const none = await analyzeSae({ ...args, options: { ...args.options, randomContexts: 0 } })
    expect(none.random_contexts).toEqual([])
    expect(none.features.every((g) => g.random_values!.context.length === 0)).toBe(true)
    expect(bad((f) => (f.features[planted].random_values = { context: [40], offset: [0], value: [1] }))).toThrow(/random_values: context 40 is past the 40 random contexts/)
  })

  it('leaks no tensors over repeated analyses and cancels in any phase', async () => {
    const before = tf.memory().numTensors
    await analyzeSae(args)
    await analyzeSae(args)
    expect(tf.memory().numTensors).toBe(before)
    for (const phase of ['activations', 'logits', 'neighbours'] as const) {
      const controller = new AbortController()
      const run = analyzeSae({ ...args, signal: controller.signal, onProgress: (_, p) => p === phase && controller.abort() })
      await expect(run).rejects.toBeInstanceOf(CancelledError)
      expect(tf.memory().numTensors).toBe(before)
    }
  })

  it('refuses labels that do not match the analysed tokens', async () => {
    await expect(analyzeSae({ ...args, labels: { concepts: [[0]], names: ['x'] } })).rejects.toBeInstanceOf(InvalidArgumentError)
  })

  it('rejects malformed files with a message naming the field', () => {
    const live = result.features.findIndex((f) => f.top_examples.length > 0)
    expect(bad((f) => (f.features[live].top_examples[0].values = 'x'))).toThrow(new RegExp(`^Malformed feature-analysis file: features\\[${live}\\]\\.top_examples\\[0\\]\\.values: .*expected array`))
    expect(bad((f) => f.features[live].top_examples[0].values.pop())).toThrow(/top_examples\[0\]\.values: has \d+ entries for \d+ tokens/)
    expect(bad((f) => f.vocab.pop())).toThrow(/^Malformed feature-analysis file: vocab: has 49 strings for a vocabulary of 50$/)
    expect(bad((f) => (f.features[live].max_act = NaN))).toThrow(/features\[\d+\]\.max_act/) // JSON has no NaN: it arrives as null
    expect(bad((f) => (f.features[2].index = 1))).toThrow(/features\[2\]\.index: feature 1 appears twice/)
    expect(bad((f) => (f.features[0].surprise = 1))).toThrow(/features\[0\]/)
    expect(bad((f) => f.features[planted].histogram.concept_counts.pop())).toThrow(/histogram\.concept_counts: has \d+ entries for \d+ bins/)
    expect(bad((f) => (f.features[planted].histogram.concept_counts[0] += 1))).toThrow(/histogram\.concept_counts: exceeds the bin count/)
    expect(bad((f) => f.features.forEach((g: { histogram: { concept_counts?: unknown } }) => delete g.histogram.concept_counts))()).toBeDefined() // files from before specificity still parse
    expect(bad((f) => (f.format = 'neuronpedia'))).toThrow(/Not a feature-analysis file: "format" is "neuronpedia"/)
    expect(bad((f) => (f.version = 2))).toThrow(/version 2; this Monoscope reads version 1/)
    expect(() => parseFeatureAnalysis([])).toThrow(AnalysisFormatError)
    expect(bad((f) => (f.sae.matryoshka_widths = [8, 4, 24]))).toThrow(/sae\.matryoshka_widths: matryoshka widths must be strictly ascending/)
    expect(bad((f) => (f.sae.matryoshka_widths = [8, 16]))).toThrow(/sae\.matryoshka_widths: the last matryoshka width must be d_sae \(24\)/)
  })

  it('records a Matryoshka SAE\'s nested widths from its cfg.json, and no widths for any other SAE', async () => {
    expect(result.sae.matryoshka_widths).toBeUndefined()
    const extra = sae.config.metadata.extra
    try {
      extra[MATRYOSHKA_WIDTHS_METADATA_KEY] = [4, 12, 24]
      const nested = await analyzeSae({ ...args, others: [] })
      expect(nested.sae.matryoshka_widths).toEqual([4, 12, 24])
      expect(parseFeatureAnalysis(JSON.parse(JSON.stringify(nested))).sae.matryoshka_widths).toEqual([4, 12, 24])
      extra[MATRYOSHKA_WIDTHS_METADATA_KEY] = [4, 12] // not this SAE's widths: ignored, not trusted
      expect((await analyzeSae({ ...args, others: [] })).sae.matryoshka_widths).toBeUndefined()
    } finally {
      delete extra[MATRYOSHKA_WIDTHS_METADATA_KEY]
    }
  })
})
