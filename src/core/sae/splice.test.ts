// Splicing an SAE into the forward pass: an exact reconstruction recovers all of the CE loss, a zero one none of it;
// the hook is checked against the model; nothing leaks.
import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { selectBackend } from '../backend/backend.ts'
import { HookNameError, InvalidArgumentError } from '../errors.ts'
import { tfjsModelFromTensors } from '../model/tfjsEngine.ts'
import { hookName } from '../model/hookNames.ts'
import { makeTinyGpt2 } from '../testing/tinyModel.ts'
import { Sae } from './sae.ts'
import { resolveSaeHook, spliceCrossEntropy } from './splice.ts'
import { defaultSaeConfig, type SaeConfig } from './types.ts'

beforeAll(async () => {
  await selectBackend(['wasm'])
})

const d = 16
const model = () => {
  const t = makeTinyGpt2({ seed: 11, nLayers: 2, dModel: d, nHeads: 2, vocab: 40, nCtx: 16 })
  return tfjsModelFromTensors(t.config, t.tensors)
}

function config(hook: string | null, dIn = d, dSae = 2 * d): SaeConfig {
  const c = defaultSaeConfig('standard', dIn, dSae)
  return { ...c, metadata: { ...c.metadata, hookName: hook } }
}

/** f = [relu(x), relu(−x)], x̂ = f·[I; −I] = x: a standard SAE whose reconstruction is exact. */
function identitySae(hook: string): Sae {
  const wEnc = new Float32Array(d * 2 * d) // [d, 2d]
  const wDec = new Float32Array(2 * d * d) // [2d, d]
  for (let i = 0; i < d; i++) {
    wEnc[i * 2 * d + i] = 1
    wEnc[i * 2 * d + d + i] = -1
    wDec[i * d + i] = 1
    wDec[(d + i) * d + i] = -1
  }
  return Sae.fromArrays(config(hook), { wEnc, wDec, bEnc: new Float32Array(2 * d), bDec: new Float32Array(d), threshold: null })
}

function zeroSae(hook: string): Sae {
  const wEnc = Float32Array.from({ length: d * 2 * d }, (_, i) => Math.sin(i))
  return Sae.fromArrays(config(hook), { wEnc, wDec: new Float32Array(2 * d * d), bEnc: new Float32Array(2 * d), bDec: new Float32Array(d), threshold: null })
}

const windows = [
  [0, 5, 9, 13, 2, 7, 31, 4],
  [0, 17, 3],
  [0, 22, 8, 8, 19, 1],
]

describe('spliceCrossEntropy', () => {
  it('recovers 1 with an exact reconstruction and 0 with a zero one', async () => {
    const m = model()
    const hook = hookName.residPost(0)
    const exact = identitySae(hook)
    const zero = zeroSae(hook)
    ;(await m.forward([[0]])).dispose() // warm the unembedding cache before counting tensors
    const before = tf.memory().numTensors
    const a = await spliceCrossEntropy(m, exact, hook, windows, { batchSize: 2 })
    expect(a.tokens).toBe(7 + 2 + 5)
    expect(a.spliced).toBeCloseTo(a.clean, 4)
    expect(a.zeroAblated).not.toBeCloseTo(a.clean, 2)
    expect(a.ceLossRecovered).toBeCloseTo(1, 3)
    const z = await spliceCrossEntropy(m, zero, hook, windows)
    expect(z.spliced).toBe(z.zeroAblated)
    expect(Math.abs(z.ceLossRecovered!)).toBe(0)
    expect(z.clean).toBeCloseTo(a.clean, 5)
    expect(tf.memory().numTensors).toBe(before)
    // Ablating the BOS position too changes the loss; the exact SAE still recovers everything.
    const all = await spliceCrossEntropy(m, exact, hook, windows, { keepFirstPosition: false })
    expect(all.zeroAblated).not.toBeCloseTo(a.zeroAblated, 4)
    expect(all.ceLossRecovered).toBeCloseTo(1, 3)
    ;[exact, zero].forEach((s) => s.dispose())
    m.dispose()
  })

  it('equals the clean loss computed directly', async () => {
    const m = model()
    const exact = identitySae(hookName.residMid(1))
    const r = await spliceCrossEntropy(m, exact, hookName.residMid(1), [windows[0]!])
    const logits = await m.forward([windows[0]!.slice(0, -1)])
    const lp = tf.tidy(() => tf.logSoftmax(logits.squeeze([0])).arraySync() as number[][])
    logits.dispose()
    const ce = -lp.reduce((s, row, p) => s + row[windows[0]![p + 1]!]!, 0) / lp.length
    expect(r.clean).toBeCloseTo(ce, 4)
    exact.dispose()
    m.dispose()
  })
})

describe('resolveSaeHook', () => {
  it('takes the SAE hook and checks it against the model and the request', async () => {
    const m = model()
    const sae = identitySae('blocks.1.hook_resid_post')
    expect(resolveSaeHook(m, sae)).toBe('blocks.1.hook_resid_post')
    expect(resolveSaeHook(m, sae, 'blocks.1.hook_resid_post')).toBe('blocks.1.hook_resid_post')
    expect(() => resolveSaeHook(m, sae, 'blocks.0.hook_resid_post')).toThrow(/trained on "blocks.1.hook_resid_post"/)
    const far = identitySae('blocks.5.hook_resid_post')
    expect(() => resolveSaeHook(m, far)).toThrow(HookNameError)
    const anon = Sae.fromArrays(config(null), await sae.toArrays())
    expect(() => resolveSaeHook(m, anon)).toThrow(/names no hook/)
    expect(resolveSaeHook(m, anon, 'blocks.0.hook_resid_pre')).toBe('blocks.0.hook_resid_pre')
    expect(() => resolveSaeHook(m, anon, 'blocks.0.mlp.hook_post')).toThrow(InvalidArgumentError) // 64 wide, not 16
    ;[sae, far, anon].forEach((s) => s.dispose())
    m.dispose()
  })
})
