// The consumers on an ONNX model, through the same interface as on tfjs: an SAE trains on each family's fixture's
// residual stream (GPT-2, Llama, GPT-NeoX, Gemma 2) (activations read from the graph, CE measured with the SAE spliced in through a split graph), and
// its analysis has dashboards with logit effects read from the graph's unembedding.
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { analyzeSae } from '../../analysis/analyze.ts'
import { analysisCorpus } from '../../analysis/analysisCorpus.ts'
import { selectBackend } from '../../backend/backend.ts'
import { Sae } from '../../sae/sae.ts'
import { TrainingRun } from '../../sae/trainingRun.ts'
import { createFolderSource } from '../../sources/index.ts'
import { loadModel } from '../load.ts'

const TEXT = ['the cat sat on the mat', 'the dog ran to the cat and the mat', 't3 t4 t5 t6 t7 t8 t9 t10 t11 t12', 'the mat sat on the dog']

beforeAll(async () => {
  await selectBackend(['wasm'])
})

describe.each(['gpt2', 'llama', 'gpt_neox', 'gemma2'])('SAE training and analysis on an ONNX model: %s', (family) => {
  const DIR = path.resolve('test-fixtures/onnx', family)
  it(`trains an SAE on the ${family} fixture, measures CE through the split graph, and analyses it`, async () => {
    const { model, tokenizer } = await loadModel(createFolderSource(DIR), { engine: 'onnx' })
    expect(model.engine.kind).toBe('onnx')
    const expected = JSON.parse(await readFile(path.join(DIR, 'expected.json'), 'utf8')) as { prompt: number[] }
    const lines = Array.from({ length: 40 }, (_, i) => `${TEXT[i % TEXT.length]} ${expected.prompt.map((id) => `t${(id * (i + 3)) % 100}`).join(' ')}`)
    const run = await TrainingRun.create(model, tokenizer, {
      hook: 'blocks.1.hook_resid_post',
      architecture: 'topk',
      dSae: 64,
      l1Coefficient: 1,
      k: 16,
      lr: 3e-3,
      steps: 60,
      batchSize: 32,
      seed: 1,
      corpus: { kind: 'text', name: 'text', lines },
      contextSize: 16,
      bufferRows: 256,
      normRows: 128,
      ceEvery: 15,
      ceWindows: 2,
      sparsityRows: 128,
      logEvery: 5,
      checkpointEvery: 100,
    })
    try {
      while (!run.done) await run.trainStep()
      expect(run.log.at(-1)!.loss).toBeLessThan(run.log[0]!.loss)
      const result = await run.finish({ modelName: `${family}-tiny`, datasetPath: 'text' })
      expect(result.final.l0).toBeGreaterThan(1)
      // CE with the SAE spliced in between two onnxruntime sessions.
      const ce = result.final.ce!
      expect([ce.clean, ce.spliced, ce.zeroAblated].every(Number.isFinite)).toBe(true)
      expect(ce.spliced).not.toBe(ce.clean)
      // Recovery means something only where zero-ablating the hook hurts: in the random GPT-2 it lowers the loss.
      if (ce.zeroAblated > ce.clean + 0.05) expect(ce.ceLossRecovered).toBeGreaterThan(0)
      const sae = Sae.fromArrays(result.config, result.arrays)
      const corpus = analysisCorpus(model, tokenizer, sae, { kind: 'lines', name: 'text', lines }, 300)
      const file = await analyzeSae({ model, sae, saeId: `onnx-${family}`, hook: 'blocks.1.hook_resid_post', windows: corpus.windows, tokenizer, options: { skipFirst: corpus.skipFirst } })
      expect(file.features).toHaveLength(64)
      const live = file.features.find((f) => f.max_act > 0)!
      expect(live.top_examples.length).toBeGreaterThan(0)
      expect(live.logits?.promoted.ids.length).toBeGreaterThan(0) // the head's weights, read from the ONNX graph
      sae.dispose()
    } finally {
      run.dispose()
      model.dispose()
    }
  })
})
