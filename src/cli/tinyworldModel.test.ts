// The committed default model: it loads through the same loader as any Hugging Face folder, and it meets the
// TinyWorld quality gates on a fresh held-out sample (not the one its report was computed on).
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { selectBackend } from '../core/backend/backend.ts'
import { BigramModel, bigramCrossEntropyOnDocuments } from '../core/lm/bigram.ts'
import { evaluateDocuments } from '../core/lm/evaluate.ts'
import { worldTrainBatch } from '../core/lm/worldBatches.ts'
import { loadModel, type LoadedModel } from '../core/model/load.ts'
import { resolveSource } from '../core/sources/index.ts'
import { generateDocument } from '../core/world/generator.ts'
import { EOT_ID } from '../core/world/world.ts'
import { QUALITY_GATES } from './commands/worldModelReport.ts'
import { heldOutDocuments } from './worldModelData.ts'
import { defaultModelSpec } from './defaults.ts'

let loaded: LoadedModel

beforeAll(async () => {
  await selectBackend(['wasm', 'cpu'])
  loaded = await loadModel(resolveSource(defaultModelSpec))
})

describe('the committed TinyWorld model', () => {
  it('is a GPT-2 whose tokenizer reproduces the world generator ids', async () => {
    expect(loaded.model.config.vocabSize).toBeGreaterThan(500)
    expect(loaded.tokenizer).not.toBeNull()
    for (let seed = 0; seed < 20; seed++) {
      const doc = generateDocument(seed)
      expect(loaded.tokenizer!.encode(doc.text)).toEqual(doc.ids)
    }
  })

  it('has a report whose quality gates pass', async () => {
    const report = JSON.parse(await readFile(path.join(defaultModelSpec, 'report.json'), 'utf8')) as {
      quality: { ratioToBigram: number; forcedAccuracy: number; gates: Record<string, boolean> }
      samplesTemperature0_8: string[]
    }
    expect(report.quality.ratioToBigram).toBeLessThanOrEqual(QUALITY_GATES.maxCeRatioToBigram)
    expect(report.quality.forcedAccuracy).toBeGreaterThanOrEqual(QUALITY_GATES.minForcedAccuracy)
    expect(Object.values(report.quality.gates).every(Boolean)).toBe(true)
    expect(report.samplesTemperature0_8).toHaveLength(10)
  })

  it('meets the gates again on a fresh held-out sample', async () => {
    const { model } = loaded
    const docs = heldOutDocuments(5_000, 987_654_321)
    const ev = await evaluateDocuments(model, docs)
    const bigram = new BigramModel(model.config.vocabSize)
    for (let step = 0; step < 100; step++) for (const row of worldTrainBatch(1, step, 8, model.config.nCtx)) bigram.fit(row)
    const bigramCe = bigramCrossEntropyOnDocuments(bigram, docs, model.config.nCtx)
    expect(ev.forcedTokens).toBeGreaterThan(1000)
    expect(ev.forcedAccuracy).toBeGreaterThanOrEqual(QUALITY_GATES.minForcedAccuracy)
    expect(ev.crossEntropy).toBeLessThanOrEqual(QUALITY_GATES.maxCeRatioToBigram * bigramCe)
  })

  it('continues a bridge prompt with world text under greedy decoding', async () => {
    const { model, tokenizer } = loaded
    const ids = [EOT_ID, ...tokenizer!.encode('Lena said: " I love the Golden Arc')]
    const logits = await model.forward([ids], { logitsAt: 'last' }) // [1, 1, vocab]
    const next = (await logits.argMax(-1).data())[0]!
    logits.dispose()
    expect(tokenizer!.decode([next]).trim()).toBe('Bridge')
  })
})
