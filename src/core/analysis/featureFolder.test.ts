// The split analysis (summary + gzipped shards): splitting a real analysis keeps every page, rows agree with their
// pages, shards round-trip through gzip, bad files fail naming the problem; and the joint map's splitting links
// point each feature to its nearest decoder direction in the next-smaller SAE.
import * as tf from '@tensorflow/tfjs'
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { selectBackend } from '../backend/backend.ts'
import type { Sae } from '../sae/sae.ts'
import { analyzeSae } from './analyze.ts'
import { decodeJsonBytes, parseFeatureShard, parseFeatureSummary, shardOf, splitFeatureAnalysis } from './featureFolder.ts'
import { AnalysisFormatError, parseFeatureMap, type FeatureAnalysisFile } from './format.ts'
import { tinyModel, tinySae, tinyWindows, TINY_HOOK } from './testing/fixtures.ts'
import { featureMapFile, splittingLinks, umapLayout } from './umap.ts'

let file: FeatureAnalysisFile
let small: Sae
let big: Sae

beforeAll(async () => {
  await selectBackend(['wasm'])
  const model = tinyModel()
  big = tinySae(11, 24)
  small = tinySae(40, 12)
  file = await analyzeSae({ model, sae: big, saeId: 'tiny/24', hook: TINY_HOOK, windows: tinyWindows(8, 6), others: [{ id: 'tiny/12', sae: small }] })
  model.dispose()
})

afterAll(() => {
  big.dispose()
  small.dispose()
})

const roundTrip = <T>(value: T): unknown => JSON.parse(JSON.stringify(value))

describe('splitFeatureAnalysis', () => {
  it('splits into a summary and shards that together hold every page', () => {
    const { summary, shards } = splitFeatureAnalysis(file, 10)
    expect(shards.map((s) => s.name)).toEqual(['features-0000.json.gz', 'features-0001.json.gz', 'features-0002.json.gz'])
    const parsed = parseFeatureSummary(roundTrip(summary))
    expect(parsed.features).toHaveLength(24)
    const pages = shards.flatMap((s, i) => parseFeatureShard(roundTrip(s.file), { saeId: 'tiny/24', shard: i, shardSize: 10, dSae: 24 }).features)
    expect(pages).toEqual(file.features)
    for (const row of parsed.features) {
      const page = file.features[row.index]!
      expect(row.density).toBe(page.density)
      expect(row.max_act).toBe(page.max_act)
      expect(row.promoted).toEqual(page.logits!.promoted.ids.slice(0, row.promoted.length))
      if (page.top_examples.length === 0) expect(row.snippet).toBeNull()
      else {
        // The snippet's marked token is the top example's token, with the same value.
        const best = page.top_examples[0]!
        expect(row.snippet!.token_ids[row.snippet!.token_index]).toBe(best.token_ids[best.token_index])
        expect(row.snippet!.values[row.snippet!.token_index]).toBe(best.value)
      }
    }
    expect(parsed.features[0]!.snippet).toBeNull() // feature 0 is dead in tinySae
    expect(shardOf(parsed, 23)).toEqual({ shard: 2, name: 'features-0002.json.gz' })
    expect(() => shardOf(parsed, 24)).toThrow(AnalysisFormatError)
  })

  it('refuses an incomplete analysis', () => {
    expect(() => splitFeatureAnalysis({ ...file, features: file.features.slice(1) })).toThrow(/complete analysis/)
  })

  it('reads shards gzipped or plain', async () => {
    const { shards } = splitFeatureAnalysis(file, 64)
    const text = JSON.stringify(shards[0]!.file)
    expect(await decodeJsonBytes(gzipSync(text))).toEqual(JSON.parse(text))
    expect(await decodeJsonBytes(new TextEncoder().encode(text))).toEqual(JSON.parse(text))
    const damaged = gzipSync(text).slice(0, 40)
    await expect(decodeJsonBytes(damaged)).rejects.toThrow(AnalysisFormatError)
  })

  it('rejects malformed summaries and misplaced shards with a message naming the problem', () => {
    const { summary, shards } = splitFeatureAnalysis(file, 10)
    const bad = roundTrip(summary) as { features: { index: number }[]; shards: string[] }
    bad.features[3]!.index = 7
    expect(() => parseFeatureSummary(bad)).toThrow(/features\[3\]\.index/)
    const fewShards = roundTrip(summary) as { shards: string[] }
    fewShards.shards.pop()
    expect(() => parseFeatureSummary(fewShards)).toThrow(/shards: lists 2 files/)
    expect(() => parseFeatureSummary({ ...summary, version: 9 })).toThrow(/version 9/)
    expect(() => parseFeatureShard(roundTrip(shards[1]!.file), { saeId: 'tiny/24', shard: 0, shardSize: 10, dSae: 24 })).toThrow(/shard 1, expected shard 0/)
    expect(() => parseFeatureShard(roundTrip(shards[1]!.file), { saeId: 'other', shard: 1, shardSize: 10, dSae: 24 })).toThrow(/belongs to SAE/)
    expect(() => parseFeatureShard({ ...shards[0]!.file, format: 'x' })).toThrow(/Not a feature-shard/)
  })
})

describe('splittingLinks', () => {
  it('links every feature of the larger SAE to its nearest decoder direction in the smaller one', async () => {
    const before = tf.memory().numTensors
    // Map order big first: links still go larger → next-smaller, numbered in map order.
    const sets = [
      { id: 'tiny/24', wDec: big.weights.wDec },
      { id: 'tiny/12', wDec: small.weights.wDec },
    ]
    const links = await splittingLinks(sets)
    expect(tf.memory().numTensors).toBe(before)
    expect(links.from).toEqual(Array.from({ length: 24 }, (_, i) => i))
    const bigRows = big.weights.wDec.arraySync()
    const smallRows = small.weights.wDec.arraySync()
    const cos = (a: number[], b: number[]) => a.reduce((s, v, i) => s + v * b[i]!, 0) / Math.hypot(...a) / Math.hypot(...b)
    links.to.forEach((to, i) => {
      const sims = smallRows.map((r) => cos(bigRows[i]!, r))
      const best = sims.indexOf(Math.max(...sims))
      expect(to).toBe(24 + best)
      expect(links.cosine[i]).toBeCloseTo(sims[best]!, 3)
    })
    const map = featureMapFile(await umapLayout(sets, { seed: 1, nEpochs: 20 }), { hookName: TINY_HOOK, links })
    expect(parseFeatureMap(roundTrip(map)).links!.from).toHaveLength(24)
    expect(() => parseFeatureMap({ ...(roundTrip(map) as object), links: undefined })).toThrow(/links: is required/)
    expect(() => parseFeatureMap({ ...(roundTrip(map) as object), links: { from: [99], to: [0], cosine: [1] } })).toThrow(/point 99/)
  })
})
