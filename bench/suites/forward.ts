// Forward-pass suite: prefill and KV-cache generation speed of a GPT-2-small-shaped model on each Node backend, the
// kernels a generated token dispatches, and what adding a position to the KV cache costs by each tfjs strategy.
import os from 'node:os'
import * as tf from '@tensorflow/tfjs'
import { selectBackend } from '../../src/core/backend/backend.ts'
import { tfjsModelFromTensors } from '../../src/core/model/tfjsEngine.ts'
import { makeTinyGpt2 } from '../../src/core/testing/tinyModel.ts'
import type { BenchRow } from '../harness.ts'
import { measureKvWrites } from './kvWrite.ts'
import { measureForward } from './measureForward.ts'

export const title = 'Engine: prefill and generation (GPT-2 small shape)'
export const intro =
  'Random weights with GPT-2 small\'s shape (12 layers, d_model 768, 12 heads, vocab 50,257), a 128-token prompt, batch 1. ' +
  'Prefill (all positions) = one forward pass over the prompt unembedding every position (what a loss needs); prefill (last ' +
  'position) = the same pass with `logitsAt: \'last\'` (what sampling needs); generation = one token per step through the KV ' +
  'cache (forward of the new position + unembedding of it + argmax). Kernels per token = tfjs kernels one generation step ' +
  'dispatches (tf.profile). KV write = adding one position to all 12 layers\' keys and values by each tfjs strategy, at 160 ' +
  'cached positions (buffer capacity 192). tfjs-cpu is the pure-JS fallback. Load average (1 min) beside each figure, and the same work by this process\'s CPU time (tfjs runs one thread in Node), which a busy shared machine distorts far less than wall time.'

const PROMPT_TOKENS = 128
const load = (): string => `load ${os.loadavg()[0]!.toFixed(2)}`

export async function run(opts: { quick: boolean }): Promise<BenchRow[]> {
  const shape = opts.quick
    ? { nLayers: 2, dModel: 256, nHeads: 4, vocab: 8192, nCtx: 256 }
    : { nLayers: 12, dModel: 768, nHeads: 12, vocab: 50257, nCtx: 1024 }
  const { config, tensors } = makeTinyGpt2({ seed: 1, ...shape, naming: 'transformer-prefix', withAttnBias: false, withLmHead: false })
  const detail = `${shape.nLayers}L d${shape.dModel} vocab ${shape.vocab}, ${PROMPT_TOKENS}-token prompt`
  const rows: BenchRow[] = []
  for (const backend of ['wasm', 'cpu'] as const) {
    await selectBackend([backend])
    const model = tfjsModelFromTensors(config, tensors)
    const prompt = Array.from({ length: PROMPT_TOKENS }, (_, i) => (i * 7919) % shape.vocab)
    const slow = backend === 'cpu'
    const engine = `tfjs-${backend}`
    const t = await measureForward(model, prompt, { steps: slow ? 4 : 32, warmup: slow ? 0 : 1, repeats: slow ? 1 : 3, prefillLast: !slow })
    rows.push({ suite: 'forward', case: 'prefill (all positions)', engine, metric: 'tokens/s', value: (1000 * PROMPT_TOKENS) / t.prefillMs, detail: `${detail}; ${t.prefillMs.toFixed(0)} ms median of ${t.prefillRuns} (CPU ${t.cpu.prefillMs.toFixed(0)} ms: ${((1000 * PROMPT_TOKENS) / t.cpu.prefillMs).toFixed(1)} tokens/s); ${t.load}` })
    if (!slow) {
      rows.push({ suite: 'forward', case: 'prefill (last position)', engine, metric: 'tokens/s', value: (1000 * PROMPT_TOKENS) / t.prefillLastMs, detail: `${detail}; ${t.prefillLastMs.toFixed(0)} ms median of ${t.prefillRuns} (CPU ${t.cpu.prefillLastMs.toFixed(0)} ms: ${((1000 * PROMPT_TOKENS) / t.cpu.prefillLastMs).toFixed(1)} tokens/s); ${t.load}` })
    }
    rows.push({ suite: 'forward', case: 'generation', engine, metric: 'tokens/s', value: 1000 / t.genMs, detail: `${detail}; ${t.steps} greedy steps after the prompt (CPU ${t.cpu.genMs.toFixed(1)} ms/token: ${(1000 / t.cpu.genMs).toFixed(1)} tokens/s); ${load()}` })
    if (!slow) {
      const kernels = await kernelsPerToken(model, prompt)
      rows.push({ suite: 'forward', case: 'kernels per generated token', engine, metric: 'kernels', value: kernels, detail: `${detail}; tf.profile of the step at position ${PROMPT_TOKENS + 1}` })
      model.dispose()
      for (const w of measureKvWrites({ nLayers: shape.nLayers, nHeads: shape.nHeads, dHead: shape.dModel / shape.nHeads, valid: 160, cap: 192, steps: 20 })) {
        rows.push({ suite: 'forward', case: `KV write: ${w.strategy}`, engine, metric: 'ms/token', value: w.msPerToken, detail: `${shape.nLayers} layers, 160 cached positions; ${load()}` })
      }
    } else {
      model.dispose()
    }
    process.stderr.write(`  forward/${backend}: prefill ${t.prefillMs.toFixed(0)} ms, generation ${t.genMs.toFixed(0)} ms/token\n`)
  }
  return rows
}

/** Kernels one generation step dispatches (nested scopes such as a fused op's wrapper are not kernels). */
async function kernelsPerToken(model: ReturnType<typeof tfjsModelFromTensors>, prompt: number[]): Promise<number> {
  const kv = model.newKvCache(1)
  ;(await model.forward([prompt], { kvCache: kv, logitsAt: 'last' })).dispose()
  // One step first: the step at position 128 also grows the KV buffer (24 Pad kernels, once per 64 tokens).
  ;(await model.forward([[prompt[1]!]], { kvCache: kv, logitsAt: 'last' })).dispose()
  const info = await tf.profile(async () => {
    const logits = await model.forward([[prompt[0]!]], { kvCache: kv, logitsAt: 'last' }) // [1, 1, vocab]
    await logits.data()
    logits.dispose()
  })
  kv.dispose()
  return info.kernels.filter((k) => k.name !== 'unnamed scope' && !k.name.endsWith('__op')).length
}
