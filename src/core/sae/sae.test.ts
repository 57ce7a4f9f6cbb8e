// Each architecture's encode on fixed tiny inputs equals values worked out by hand; decode, the error term,
// decoder-norm scaling, renormalising and input-scale folding keep their invariants; no tensors leak.
import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { selectBackend } from '../backend/backend.ts'
import { InvalidArgumentError, SaeFormatError } from '../errors.ts'
import { foldInputScale } from './fold.ts'
import { Sae } from './sae.ts'
import { randomArray } from './testing/random.ts'
import { defaultSaeConfig, type SaeArrays, type SaeArchitecture, type SaeConfig } from './types.ts'

beforeAll(async () => {
  await selectBackend(['wasm'])
})

// d_in 2, d_sae 3. W_enc [d_in, d_sae], W_dec [d_sae, d_in] with row norms 0.5, 2, √2.
const tiny: SaeArrays = {
  wEnc: Float32Array.from([1, 0, -1, 0, 2, 1]),
  wDec: Float32Array.from([0.5, 0, 0, 2, 1, 1]),
  bEnc: Float32Array.from([0, -1, 0.5]),
  bDec: Float32Array.from([1, 0]),
  threshold: null,
}

function makeSae(architecture: SaeArchitecture, patch: Partial<SaeConfig> = {}, threshold: number[] | null = null): Sae {
  const config = { ...defaultSaeConfig(architecture, 2, 3, architecture === 'topk' ? 2 : null), ...patch }
  return Sae.fromArrays(config, { ...tiny, threshold: threshold ? Float32Array.from(threshold) : null })
}

function encodeRows(sae: Sae, rows: number[][]): number[][] {
  const x = tf.tensor2d(rows)
  const f = sae.encode(x)
  const out = f.arraySync() as number[][]
  tf.dispose([x, f])
  return out
}

describe('encode on hand-computed inputs', () => {
  // x = [3, 1]: xc = x − b_dec = [2, 1]; pre = xc·W_enc + b_enc = [2, 2, −1] + [0, −1, 0.5] = [2, 1, −0.5]
  // x = [2, 3]: xc = [1, 3];              pre = [1, 6, 2] + b_enc = [1, 5, 2.5]
  // x = [1, −2]: xc = [0, −2];            pre = [0, −4, −2] + b_enc = [0, −5, −1.5]
  const xs = [
    [3, 1],
    [2, 3],
    [1, -2],
  ]

  it('standard: ReLU(pre)', () => {
    const sae = makeSae('standard')
    expect(encodeRows(sae, xs)).toEqual([
      [2, 1, 0],
      [1, 5, 2.5],
      [0, 0, 0],
    ])
    sae.dispose()
  })

  it('standard without apply_b_dec_to_input: pre = x·W_enc + b_enc', () => {
    const sae = makeSae('standard', { applyBDecToInput: false })
    // [3, 1] → [3, 2, −2] + b_enc = [3, 1, −1.5]
    expect(encodeRows(sae, [[3, 1]])).toEqual([[3, 1, 0]])
    sae.dispose()
  })

  it('topk (k = 2): the two largest pre-activations, ReLU’d', () => {
    const sae = makeSae('topk')
    expect(encodeRows(sae, xs)).toEqual([
      [2, 1, 0],
      [0, 5, 2.5],
      [0, 0, 0], // top two are 0 and −1.5: ReLU zeroes both
    ])
    sae.dispose()
  })

  it('topk with rescale_acts_by_decoder_norm ranks and reports pre·‖W_dec,i‖', () => {
    const sae = makeSae('topk', { rescaleActsByDecoderNorm: true })
    // [3, 1]: pre·norms = [1, 2, −0.71] → [1, 2, 0]; [2, 3]: [0.5, 10, 3.54] → [0, 10, 2.5√2]
    const f = encodeRows(sae, xs.slice(0, 2))
    expect(f[0]).toEqual([1, 2, 0])
    expect(f[1]![0]).toBe(0)
    expect(f[1]![1]).toBe(10)
    expect(f[1]![2]).toBeCloseTo(2.5 * Math.SQRT2, 5)
    sae.dispose()
  })

  it('jumprelu: pre·H(pre − θ), strictly above the threshold', () => {
    const sae = makeSae('jumprelu', {}, [1.5, 1, 0.1])
    // [3, 1]: pre [2, 1, −0.5] → 2 > 1.5 keeps, 1 > 1 does not → [2, 0, 0]; [2, 3]: [1, 5, 2.5] → [0, 5, 2.5]
    expect(encodeRows(sae, xs)).toEqual([
      [2, 0, 0],
      [0, 5, 2.5],
      [0, 0, 0],
    ])
    sae.dispose()
  })
})

describe('decode, error term and scaled activations', () => {
  it('x̂ = f·W_dec + b_dec and e = x − x̂, any leading shape', () => {
    const sae = makeSae('standard')
    const x = tf.tensor3d([[[3, 1]], [[2, 3]]]) // [2, 1, 2]
    const { featureActs, reconstruction, error } = sae.run(x)
    expect(featureActs.shape).toEqual([2, 1, 3])
    // [3, 1]: f = [2, 1, 0] → [1, 2] + b_dec = [2, 2]; [2, 3]: f = [1, 5, 2.5] → [0.5 + 2.5, 10 + 2.5] + [1, 0] = [4, 12.5]
    expect(reconstruction.arraySync()).toEqual([[[2, 2]], [[4, 12.5]]])
    expect(error.arraySync()).toEqual([[[1, -1]], [[-2, -9.5]]])
    const decoded = sae.decode(featureActs)
    expect(decoded.arraySync()).toEqual(reconstruction.arraySync())
    const scaled = sae.featureActsScaled(x)
    expect((scaled.arraySync() as number[][][])[0]![0]).toEqual([1, 2, 0]) // f·[0.5, 2, √2]
    tf.dispose([x, featureActs, reconstruction, error, decoded, scaled])
    sae.dispose()
  })

  it('reconstruction plus error term gives the input back (the steering invariant)', () => {
    const config = defaultSaeConfig('standard', 8, 32)
    const sae = Sae.fromArrays(config, { wEnc: randomArray(256, 1), wDec: randomArray(256, 2), bEnc: randomArray(32, 3, 0.1), bDec: randomArray(8, 4), threshold: null })
    const x = tf.tensor2d(randomArray(40, 5), [5, 8])
    const xHat = sae.forward(x)
    const e = sae.errorTerm(x)
    const back = tf.add(xHat, e)
    const diff = tf.max(tf.abs(tf.sub(back, x))).dataSync()[0]!
    expect(diff).toBeLessThan(1e-5)
    tf.dispose([x, xHat, e, back])
    sae.dispose()
  })

  it('rejects inputs of the wrong width and use after dispose', () => {
    const sae = makeSae('standard')
    const bad = tf.zeros([4, 3])
    expect(() => sae.encode(bad)).toThrow(InvalidArgumentError)
    sae.dispose()
    const ok = tf.zeros([1, 2])
    expect(() => sae.encode(ok)).toThrow(/disposed/)
    tf.dispose([bad, ok])
  })

  it('refuses weights whose sizes do not match the config', () => {
    expect(() => Sae.fromArrays(defaultSaeConfig('standard', 2, 4), { ...tiny })).toThrow(SaeFormatError)
    expect(() => Sae.fromArrays(defaultSaeConfig('jumprelu', 2, 3), { ...tiny })).toThrow(/threshold/)
  })
})

describe('reparametrisations', () => {
  const dIn = 6
  const dSae = 20
  const random = (threshold: boolean): SaeArrays => ({
    wEnc: randomArray(dIn * dSae, 11),
    wDec: randomArray(dSae * dIn, 12),
    bEnc: randomArray(dSae, 13, 0.2),
    bDec: randomArray(dIn, 14),
    threshold: threshold ? Float32Array.from(randomArray(dSae, 15, 0.2), Math.abs) : null,
  })

  for (const architecture of ['standard', 'jumprelu', 'topk'] as const) {
    it(`renormalising a ${architecture} SAE gives unit decoder rows, f·‖W_dec‖ activations and the same reconstructions`, async () => {
      const config = { ...defaultSaeConfig(architecture, dIn, dSae, 4), rescaleActsByDecoderNorm: architecture === 'topk' }
      const sae = Sae.fromArrays(config, random(architecture === 'jumprelu'))
      const renormed = await sae.renormalised()
      const x = tf.tensor2d(randomArray(10 * dIn, 16), [10, dIn])
      const [scaled, fNew, norms, a, b] = [sae.featureActsScaled(x), renormed.encode(x), renormed.decoderNorms(), sae.forward(x), renormed.forward(x)]
      expect(tf.max(tf.abs(tf.sub(scaled, fNew))).dataSync()[0]).toBeLessThan(1e-4)
      expect(tf.max(tf.abs(tf.sub(norms, 1))).dataSync()[0]).toBeLessThan(1e-5)
      expect(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]).toBeLessThan(1e-4)
      tf.dispose([x, scaled, fNew, norms, a, b])
      sae.dispose()
      renormed.dispose()
    })
  }

  it('refuses to renormalise a topk SAE that ranks raw pre-activations', async () => {
    const sae = Sae.fromArrays(defaultSaeConfig('topk', dIn, dSae, 4), random(false))
    await expect(sae.renormalised()).rejects.toThrow(InvalidArgumentError)
    sae.dispose()
  })

  it('folding an input scale s: the SAE on x equals the unfolded one on s·x, reconstructions scaled back', () => {
    const config = defaultSaeConfig('jumprelu', dIn, dSae)
    const arrays = random(true)
    const s = 3.7
    const plain = Sae.fromArrays(config, arrays)
    const folded = Sae.fromArrays(config, foldInputScale(arrays, s))
    const x = tf.tensor2d(randomArray(10 * dIn, 17), [10, dIn])
    const xs = tf.mul(x, s)
    const [f1, f2, r1, r2] = [plain.encode(xs), folded.encode(x), plain.forward(xs), folded.forward(x)]
    expect(tf.max(tf.abs(tf.sub(f1, f2))).dataSync()[0]).toBeLessThan(1e-4)
    expect(tf.max(tf.abs(tf.sub(tf.div(r1, s), r2))).dataSync()[0]).toBeLessThan(1e-4)
    tf.dispose([x, xs, f1, f2, r1, r2])
    plain.dispose()
    folded.dispose()
  })
})

describe('run-time normalisation modes', () => {
  it('constant_norm_rescale and layer_norm undo themselves on the way out (error term exact)', () => {
    for (const mode of ['constant_norm_rescale', 'layer_norm'] as const) {
      const config = { ...defaultSaeConfig('standard', 8, 16), normalizeActivations: mode }
      const sae = Sae.fromArrays(config, { wEnc: randomArray(128, 21), wDec: randomArray(128, 22), bEnc: randomArray(16, 23), bDec: randomArray(8, 24, 0.1), threshold: null })
      const x = tf.tensor2d(randomArray(24, 25, 5, 2), [3, 8])
      const scaledUp = tf.mul(x, 10)
      const { featureActs, reconstruction, error } = sae.run(x)
      const f10 = sae.encode(scaledUp)
      // Both modes make the activations invariant to the input's scale.
      expect(tf.max(tf.abs(tf.sub(featureActs, f10))).dataSync()[0]).toBeLessThan(1e-3)
      expect(tf.max(tf.abs(tf.sub(tf.add(reconstruction, error), x))).dataSync()[0]).toBeLessThan(1e-4)
      tf.dispose([x, scaledUp, featureActs, reconstruction, error, f10])
      sae.dispose()
    }
  })

  it('refuses expected_average_only_in without its constant folded in', () => {
    const config = { ...defaultSaeConfig('standard', 2, 3), normalizeActivations: 'expected_average_only_in' as const }
    expect(() => Sae.fromArrays(config, tiny)).toThrow(/normScalingFactor/)
  })
})

describe('memory', () => {
  it('repeated encodes, runs and decodes leave tf.memory().numTensors flat', () => {
    const sae = makeSae('topk', { rescaleActsByDecoderNorm: true })
    const x = tf.tensor2d([
      [3, 1],
      [2, 3],
    ])
    const before = tf.memory().numTensors
    for (let i = 0; i < 20; i++) {
      const f = sae.encode(x)
      const out = sae.run(x)
      const d = sae.decode(f)
      const s = sae.featureActsScaled(x)
      tf.dispose([f, out.featureActs, out.reconstruction, out.error, d, s])
    }
    expect(tf.memory().numTensors).toBe(before)
    tf.dispose(x)
    sae.dispose()
  })
})
