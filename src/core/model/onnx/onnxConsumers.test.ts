// The consumers on an ONNX model, through the same interface as on tfjs: an SAE trains on the tiny Llama fixture's
// residual stream (activations read from the graph, CE measured with the SAE spliced in through a split graph), and
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

const DIR = path.resolve('test-fixtures/onnx/llama')
const TEXT = ['the cat sat on the mat', 'the dog ran to the cat and the mat', 't3 t4 t5 t6 t7 t8 t9 t10 t11 t12', 'the mat sat on the dog']

beforeAll(async () => {
  await selectBackend(['wasm'])
})

describe('SAE training and analysis on an ONNX model', () => {
  it('trains an SAE on the Llama fixture, measures CE through the split graph, and analyses it', async () => {
    const { model, tokenizer } = await loadModel(createFolderSource(DIR))
    expect(model.engine.kind).toBe('onnx')
    const expected = JSON.parse(await readFile(path.join(DIR, 'expected.json'), 'utf8')) as { prompt: number[] }
    const lines = Array.from({ length: 40 }, (_, i) => `${TEXT[i % TEXT.length]} ${expected.prompt.map((id) => `t${(id * (i + 3)) % 100}`).join(' ')}`)
    const run = await TrainingRun.create(model, tokenizer, {
      hook: 'blocks.1.hook_resid_post',
      architecture: 'topk',
      dSae: 64,
      l1Coefficient: 1,
      k: 4,
      lr: 3e-3,
      steps: 30,
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
      const result = await run.finish({ modelName: 'llama-tiny', datasetPath: 'text' })
      expect(result.final.l0).toBeGreaterThan(1)
      // CE with the SAE spliced in between two onnxruntime sessions: better than zero-ablating the hook.
      expect(result.final.ce!.ceLossRecovered).toBeGreaterThan(0)
      expect(result.final.ce!.spliced).not.toBe(result.final.ce!.clean)
      const sae = Sae.fromArrays(result.config, result.arrays)
      const corpus = analysisCorpus(model, tokenizer, sae, { kind: 'lines', name: 'text', lines }, 300)
      const file = await analyzeSae({ model, sae, saeId: 'onnx-llama', hook: 'blocks.1.hook_resid_post', windows: corpus.windows, tokenizer, options: { skipFirst: corpus.skipFirst } })
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
