// Prefill and KV-cache generation timing of any HookedModel, measured the same way for every engine.
import os from 'node:os'
import * as tf from '@tensorflow/tfjs'
import type { HookedModel } from '../../src/core/model/hookedModel.ts'
import { time } from '../harness.ts'

export interface ForwardTiming {
  /** Every position unembedded (logitsAt 'all'). */
  prefillMs: number
  /** The same pass unembedding only the last position (logitsAt 'last'), as sampling runs it; NaN unless asked. */
  prefillLastMs: number
  /** The 1-minute load average when the prefills ran. */
  load: string
  prefillRuns: number
  /** Milliseconds per generated token. */
  genMs: number
  /** CPU milliseconds (this process) of the median all-positions prefill, the median last-position one, and per generated token. */
  cpu: { prefillMs: number; prefillLastMs: number; genMs: number }
  steps: number
}

/** Prefill = one pass over the prompt, logits of every position (and, separately, of the last) read back; generation = greedy steps through the KV cache. */
export async function measureForward(model: HookedModel, prompt: number[], opts: { steps: number; warmup: number; repeats: number; prefillLast?: boolean }): Promise<ForwardTiming> {
  const load = `load ${os.loadavg()[0]!.toFixed(2)}`
  const prefillAt = (logitsAt: 'all' | 'last') =>
    time(
      async () => {
        const logits = await model.forward([prompt], { logitsAt }) // [1, pos or 1, vocab]
        await logits.data()
        logits.dispose()
      },
      { warmup: opts.warmup, repeats: opts.repeats },
    )
  const prefill = await prefillAt('all')
  const prefillLast = opts.prefillLast ? await prefillAt('last') : null
  const kv = model.newKvCache(1)
  const first = await model.forward([prompt], { kvCache: kv, logitsAt: 'last' }) // [1, 1, vocab]
  let next = (await tf.tidy(() => first.reshape([-1]).argMax()).data())[0] ?? 0
  first.dispose()
  const c0 = process.cpuUsage()
  const t0 = performance.now()
  for (let s = 0; s < opts.steps; s++) {
    const logits = await model.forward([[next]], { kvCache: kv, logitsAt: 'last' }) // [1, 1, vocab]
    const argmax = tf.tidy(() => logits.reshape([-1]).argMax())
    next = (await argmax.data())[0] ?? 0
    argmax.dispose()
    logits.dispose()
  }
  const genMs = (performance.now() - t0) / opts.steps
  const c = process.cpuUsage(c0)
  const genCpuMs = (c.user + c.system) / 1000 / opts.steps
  kv.dispose()
  const cpu = { prefillMs: prefill.medianCpuMs, prefillLastMs: prefillLast?.medianCpuMs ?? NaN, genMs: genCpuMs }
  return { prefillMs: prefill.medianMs, prefillLastMs: prefillLast?.medianMs ?? NaN, load, prefillRuns: prefill.runs, genMs, steps: opts.steps, cpu }
}
