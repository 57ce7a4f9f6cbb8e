// Forward-pass suite: prefill and KV-cache generation speed of a GPT-2-small-shaped model on each Node backend.
import * as tf from '@tensorflow/tfjs'
import { selectBackend } from '../../src/core/backend/backend.ts'
import { tfjsModelFromTensors } from '../../src/core/model/tfjsEngine.ts'
import { makeTinyGpt2 } from '../../src/core/testing/tinyModel.ts'
import { time, type BenchRow } from '../harness.ts'

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
    const prefill = await time(
      async () => {
        const logits = await model.forward([prompt]) // [1, pos, vocab]
        await logits.data()
        logits.dispose()
      },
      { warmup: slow ? 0 : 1, repeats: slow ? 1 : 3 },
    )
    rows.push({ suite: 'forward', case: 'prefill', engine: `tfjs-${backend}`, metric: 'tokens/s', value: (1000 * PROMPT_TOKENS) / prefill.medianMs, detail: `${detail}; ${prefill.medianMs.toFixed(0)} ms median of ${prefill.runs}` })

    const steps = slow ? 4 : 32
    const kv = model.newKvCache(1)
    const first = await model.forward([prompt], { kvCache: kv })
    let next = (await tf.tidy(() => first.slice([0, PROMPT_TOKENS - 1, 0], [1, 1, -1]).reshape([-1]).argMax()).data())[0] ?? 0
    first.dispose()
    const t0 = performance.now()
    for (let s = 0; s < steps; s++) {
      const logits = await model.forward([[next]], { kvCache: kv }) // [1, 1, vocab]
      const argmax = tf.tidy(() => logits.reshape([-1]).argMax())
      next = (await argmax.data())[0] ?? 0
      argmax.dispose()
      logits.dispose()
    }
    const genMs = performance.now() - t0
    kv.dispose()
    rows.push({ suite: 'forward', case: 'generation', engine: `tfjs-${backend}`, metric: 'tokens/s', value: (1000 * steps) / genMs, detail: `${detail}; ${steps} greedy steps after the prompt` })
    model.dispose()
    process.stderr.write(`  forward/${backend}: prefill ${prefill.medianMs.toFixed(0)} ms, generation ${(genMs / steps).toFixed(0)} ms/token\n`)
  }
  return rows
}
