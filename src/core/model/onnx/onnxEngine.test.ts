// The ONNX engine against PyTorch: tiny random GPT-2, Llama (RoPE, RMSNorm, SwiGLU, GQA), Gemma 2 (scaled embedding,
// sandwich norms, soft-capping, sliding window, GeGLU, head_dim ≠ d/h) and GPT-NeoX (parallel
// residual, partial rotary) decoders exported by scripts/onnx-fixtures, whose expected.json holds PyTorch's logits,
// residual-stream hooks, greedy tokens and steered logits (an SAE clamp with its error term, and an addition).
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { selectBackend } from '../../backend/backend.ts'
import { HookNameError } from '../../errors.ts'
import { loadSaeLens } from '../../sae/saelens.ts'
import { createFolderSource } from '../../sources/index.ts'
import { steeringHooksFor } from '../../steering/steer.ts'
import type { HookedModel } from '../hookedModel.ts'
import { hookName, type HookName } from '../hookNames.ts'
import { loadModel } from '../load.ts'

const FIXTURES = path.resolve('test-fixtures/onnx')

interface Expected {
  prompt: number[]
  logits: number[][]
  hooks: Record<string, number[][]>
  greedy: number[]
  steering: { hook_name: string; feature: number; c: number; clamp: { logits: number[][] }; add: { logits: number[][] } }
}

const maxAbsDiff = (a: number[][], b: number[][]): number => {
  expect(a.length).toBe(b.length)
  let m = 0
  a.forEach((row, i) => row.forEach((v, j) => (m = Math.max(m, Math.abs(v - b[i]![j]!)))))
  return m
}

/** A tensor [1, pos, n] as rows, disposed. */
async function rows(t: tf.Tensor): Promise<number[][]> {
  const out = ((await t.array()) as number[][][])[0]!
  t.dispose()
  return out
}

beforeAll(async () => {
  await selectBackend(['wasm'])
})

describe.each(['gpt2', 'llama', 'gpt_neox', 'gemma2'])('ONNX engine, %s', (family) => {
  let model: HookedModel
  let expected: Expected
  const dir = path.join(FIXTURES, family)

  beforeAll(async () => {
    expected = JSON.parse(await readFile(path.join(dir, 'expected.json'), 'utf8')) as Expected
    model = (await loadModel(createFolderSource(dir), { engine: 'onnx' })).model
  })

  it('finds every residual hook by structure and matches PyTorch on logits and hooks (≤ 1e-4)', async () => {
    expect(model.engine.kind).toBe('onnx')
    expect(model.config.family).toBe(family)
    expect([...model.config.hookNames].sort()).toEqual(Object.keys(expected.hooks).sort())
    const names = model.config.hookNames as HookName[]
    const { logits, cache } = await model.runWithCache([expected.prompt], [...names])
    expect(maxAbsDiff(await rows(logits), expected.logits)).toBeLessThan(1e-4)
    for (const name of names) expect(maxAbsDiff(await rows(cache.get(name)!), expected.hooks[name]!), name).toBeLessThan(1e-4)
  })

  it('decodes through the KV cache exactly as PyTorch recomputes, and equals its own full pass', async () => {
    const kv = model.newKvCache(1)
    const tokens: number[] = []
    let input = expected.prompt
    const stepLogits: number[][] = []
    for (let i = 0; i < expected.greedy.length; i++) {
      const last = (await rows(await model.forward([input], { kvCache: kv, logitsAt: 'last' })))[0]!
      stepLogits.push(last)
      const next = last.indexOf(Math.max(...last))
      tokens.push(next)
      input = [next]
    }
    kv.dispose()
    expect(tokens).toEqual(expected.greedy)
    const full = await rows(await model.forward([[...expected.prompt, ...tokens.slice(0, -1)]]))
    expect(maxAbsDiff(stepLogits, full.slice(expected.prompt.length - 1))).toBeLessThan(1e-4)
  })

  it('steers through the split graph: SAE clamp with its error term, and an addition, equal the PyTorch reference', async () => {
    const { sae } = await loadSaeLens(createFolderSource(path.join(dir, 'sae')))
    const s = expected.steering
    // The reference clamps the raw latent f_j to c; Monoscope's strengths are in the dashboards' units, f_j·‖W_dec,j‖.
    const norms = sae.decoderNorms()
    const norm = (await norms.data())[s.feature]!
    norms.dispose()
    const steer = async (mode: 'clamp' | 'add') => {
      const value = mode === 'clamp' ? s.c * norm : s.c
      const hooks = (await steeringHooksFor(model, sae, expected.prompt, { interventions: [{ index: s.feature, mode, strength: { kind: 'absolute', value } }], steerBos: true }))
      return rows(await model.forward([expected.prompt], { hooks }))
    }
    const clean = await rows(await model.forward([expected.prompt]))
    const clamped = await steer('clamp')
    expect(maxAbsDiff(clamped, s.clamp.logits)).toBeLessThan(1e-4)
    expect(maxAbsDiff(clamped, clean), 'the clamp changes the logits (a check that can fail)').toBeGreaterThan(0.05)
    expect(maxAbsDiff(await steer('add'), s.add.logits)).toBeLessThan(1e-4)
    sae.dispose()
  })

  it('a read hook and an identity write hook leave the logits unchanged, and nothing leaks', async () => {
    const hook = hookName.residPost(1)
    const clean = await rows(await model.forward([expected.prompt]))
    const before = tf.memory().numTensors
    for (let i = 0; i < 3; i++) {
      const same = await rows(await model.forward([expected.prompt], { hooks: { [hook]: (x: tf.Tensor) => tf.mul(x, 1) } }))
      expect(maxAbsDiff(same, clean)).toBeLessThan(1e-5) // the split sessions fuse ops differently: float noise only
      const acts = await model.collectActivations([expected.prompt], [hook])
      acts.get(hook)!.dispose()
    }
    expect(tf.memory().numTensors).toBe(before)
  })

  it('refuses hooks the graph does not offer, naming those it does', async () => {
    await expect(model.forward([expected.prompt], { hooks: { [hookName.attnPattern(0)]: () => undefined } })).rejects.toBeInstanceOf(HookNameError)
    await expect(model.collectActivations([expected.prompt], [hookName.mlpPost(0)])).rejects.toThrow(/offers hook_embed/)
  })
})
