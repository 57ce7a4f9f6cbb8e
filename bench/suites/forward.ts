// Forward-pass suite: prefill and KV-cache generation speed of a GPT-2-small-shaped model on each Node backend.
import { selectBackend } from '../../src/core/backend/backend.ts'
import { tfjsModelFromTensors } from '../../src/core/model/tfjsEngine.ts'
import { makeTinyGpt2 } from '../../src/core/testing/tinyModel.ts'
import type { BenchRow } from '../harness.ts'
import { measureForward } from './measureForward.ts'

export const title = 'Engine: prefill and generation (GPT-2 small shape)'
export const intro =
  'Random weights with GPT-2 small\'s shape (12 layers, d_model 768, 12 heads, vocab 50,257), a 128-token prompt, batch 1. ' +
  'Prefill = one forward pass over the prompt including the unembedding of every position; generation = one token per step ' +
  'through the KV cache (forward of the new position + unembedding + argmax). tfjs-cpu is the pure-JS fallback.'

const PROMPT_TOKENS = 128

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
    const t = await measureForward(model, prompt, { steps: slow ? 4 : 32, warmup: slow ? 0 : 1, repeats: slow ? 1 : 3 })
    rows.push({ suite: 'forward', case: 'prefill', engine: `tfjs-${backend}`, metric: 'tokens/s', value: (1000 * PROMPT_TOKENS) / t.prefillMs, detail: `${detail}; ${t.prefillMs.toFixed(0)} ms median of ${t.prefillRuns}` })
    rows.push({ suite: 'forward', case: 'generation', engine: `tfjs-${backend}`, metric: 'tokens/s', value: 1000 / t.genMs, detail: `${detail}; ${t.steps} greedy steps after the prompt` })
    model.dispose()
    process.stderr.write(`  forward/${backend}: prefill ${t.prefillMs.toFixed(0)} ms, generation ${t.genMs.toFixed(0)} ms/token\n`)
  }
  return rows
}
