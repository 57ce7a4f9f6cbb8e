// Engines side by side on identical weights: the tfjs engine (tfjs-wasm) and the ONNX engine (onnxruntime-node) on
// TinyWorld and on a GPT-2-small-shaped model, the ONNX file made by export-onnx from the same tensors.
import { selectBackend } from '../../src/core/backend/backend.ts'
import { parseGpt2Config } from '../../src/core/model/config.ts'
import { initGpt2Tensors } from '../../src/core/model/init.ts'
import type { HookedModel } from '../../src/core/model/hookedModel.ts'
import { loadModel } from '../../src/core/model/load.ts'
import { gpt2ToOnnx } from '../../src/core/model/onnx/exportGpt2.ts'
import { loadOnnxModel } from '../../src/core/model/onnx/loadOnnx.ts'
import { tfjsModelFromTensors } from '../../src/core/model/tfjsEngine.ts'
import { createFolderSource, type FileSource } from '../../src/core/sources/index.ts'
import { defaultModelSpec } from '../../src/cli/defaults.ts'
import type { BenchRow } from '../harness.ts'
import { measureForward } from './measureForward.ts'

export const title = 'Engines side by side: tfjs-wasm vs onnxruntime-node, identical weights'
export const intro =
  'Both engines through the same HookedModel interface (logits come back as tf tensors either way), batch 1, in Node: ' +
  'prefill of a 128-token prompt (64 on TinyWorld, whose context is 256) with every position unembedded and read back, ' +
  'then greedy generation through each engine\'s KV cache. The ONNX file is `export-onnx` of the same tensors. ' +
  'tfjs-wasm in Node runs one thread; onnxruntime-node uses its default intra-op threads (both cores here).'

/** A FileSource over in-memory files, for an ONNX export that never touches the disk. */
function memorySource(files: Record<string, Uint8Array>): FileSource {
  const source: FileSource = {
    kind: 'folder',
    description: 'memory',
    fetchBytes: (file) => (files[file] ? Promise.resolve(files[file]!) : Promise.reject(new Error(`${file} missing`))),
    fetchText: async (file) => new TextDecoder().decode(await source.fetchBytes(file)),
    exists: (file) => Promise.resolve(file in files),
    subfolder: () => source,
  }
  return source
}

async function pair(name: string, tfjs: HookedModel, prompt: number[], quick: boolean): Promise<BenchRow[]> {
  const weights = await tfjs.exportTensors()
  const configJson = tfjs.configJson()
  const onnx = await loadOnnxModel(memorySource({ 'onnx/model.onnx': gpt2ToOnnx(parseGpt2Config(configJson), weights!) }), configJson, 'fp32')
  const rows: BenchRow[] = []
  const opts = { steps: quick ? 4 : 32, warmup: 1, repeats: quick ? 1 : 5 }
  for (const [engine, model] of [['tfjs-wasm', tfjs], ['onnxruntime-node', onnx]] as const) {
    const t = await measureForward(model, prompt, opts)
    const detail = `${name}, ${prompt.length}-token prompt`
    rows.push({ suite: 'engines', case: `${name}: prefill`, engine, metric: 'tokens/s', value: (1000 * prompt.length) / t.prefillMs, detail: `${detail}; ${t.prefillMs.toFixed(1)} ms median of ${t.prefillRuns}` })
    rows.push({ suite: 'engines', case: `${name}: generation`, engine, metric: 'tokens/s', value: 1000 / t.genMs, detail: `${detail}; ${t.steps} greedy steps` })
    process.stderr.write(`  engines/${name}/${engine}: prefill ${t.prefillMs.toFixed(1)} ms, generation ${t.genMs.toFixed(1)} ms/token\n`)
  }
  onnx.dispose()
  return rows
}

export async function run(opts: { quick: boolean }): Promise<BenchRow[]> {
  await selectBackend(['wasm'])
  const rows: BenchRow[] = []
  const tiny = (await loadModel(createFolderSource(defaultModelSpec), { engine: 'tfjs' })).model
  rows.push(...(await pair('TinyWorld (4L d128, vocab 986)', tiny, Array.from({ length: 64 }, (_, i) => (i * 31) % 986), opts.quick)))
  tiny.dispose()
  const shape = opts.quick ? { nLayers: 2, dModel: 256, nHeads: 4, vocabSize: 8192 } : { nLayers: 12, dModel: 768, nHeads: 12, vocabSize: 50257 }
  const config = { ...shape, nCtx: 1024, dMlp: 4 * shape.dModel, layerNormEps: 1e-5, activation: 'gelu_new' as const, bosTokenId: null, eosTokenId: null }
  const big = tfjsModelFromTensors(config, initGpt2Tensors(config, { seed: 1 }))
  rows.push(...(await pair(opts.quick ? 'GPT-2 small shape (quick: 2L d256)' : 'GPT-2 small shape (12L d768, vocab 50,257)', big, Array.from({ length: 128 }, (_, i) => (i * 7919) % shape.vocabSize), opts.quick)))
  big.dispose()
  return rows
}
