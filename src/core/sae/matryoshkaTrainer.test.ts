// The trainer's Matryoshka BatchTopK: its nested prefixes learn to reconstruct on their own (where a BatchTopK SAE
// trained on the same data and seed does not), it is saved as SAELens saves it (jumprelu + learned threshold), and
// its settings are validated.
import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { selectBackend } from '../backend/backend.ts'
import { MATRYOSHKA_WIDTHS_METADATA_KEY } from './matryoshka.ts'
import { readSaeLensFolder, saeLensFiles } from './saelens.ts'
import { Sae } from './sae.ts'
import { randomDictionary, sparseBatches } from './testing/synthetic.ts'
import { SaeTrainer } from './trainer.ts'
import type { SaeTrainerOptions } from './trainerConfig.ts'

beforeAll(async () => {
  await selectBackend(['wasm'])
})

const dIn = 16
const dSae = 48

const options = (architecture: 'batchtopk' | 'matryoshka_batchtopk', extra: Partial<SaeTrainerOptions> = {}): SaeTrainerOptions => ({
  architecture,
  dIn,
  dSae,
  totalSteps: 600,
  k: 4,
  lr: 3e-3,
  seed: 7,
  logEvery: 100,
  checkpointEvery: 0,
  ...(architecture === 'matryoshka_batchtopk' ? { matryoshkaWidths: [6, 24, 48] } : {}),
  ...extra,
})

/** FVU of the reconstruction from the first `width` latents only (the rest zeroed), b_dec included. */
function prefixFvu(sae: Sae, x: tf.Tensor2D, width: number): number {
  return tf.tidy(() => {
    const f = sae.encode(x) as tf.Tensor2D // [n, dSae]
    const keep = tf.concat([tf.ones([1, width]), tf.zeros([1, sae.config.dSae - width])], 1) // [1, dSae]
    const xHat = sae.decode(tf.mul(f, keep)) // [n, dIn]
    const sse = tf.sum(tf.square(tf.sub(x, xHat)))
    const sst = tf.sum(tf.square(tf.sub(x, tf.mean(x, 0, true))))
    return tf.div(sse, sst).dataSync()[0]!
  })
}

async function trained(architecture: 'batchtopk' | 'matryoshka_batchtopk'): Promise<Sae> {
  const dict = randomDictionary(dIn, 40, 3)
  const trainer = SaeTrainer.create(options(architecture))
  await trainer.run(sparseBatches(dict, 128, 3 / 40, 4))
  const sae = await trainer.toSae()
  trainer.dispose()
  return sae
}

describe('Matryoshka BatchTopK training', () => {
  it('its first prefix reconstructs alone far better than the same prefix of a BatchTopK SAE', async () => {
    const before = tf.memory().numTensors
    const matryoshka = await trained('matryoshka_batchtopk')
    const plain = await trained('batchtopk')
    const x = sparseBatches(randomDictionary(dIn, 40, 3), 2048, 3 / 40, 99)() // held-out rows
    const m = [6, 24, 48].map((w) => prefixFvu(matryoshka, x, w))
    const b = [6, 24, 48].map((w) => prefixFvu(plain, x, w))
    // Nested levels: each prefix reconstructs at least as well as the previous one.
    expect(m[1]!).toBeLessThan(m[0]!)
    expect(m[2]!).toBeLessThan(m[1]!)
    // Prefixes are trained to reconstruct alone; BatchTopK's first latents are an arbitrary slice (measured at
    // 0.58 vs 0.85 for 6 latents, 0.23 vs 0.69 for 24).
    expect(m[0]!).toBeLessThan(0.8 * b[0]!)
    expect(m[1]!).toBeLessThan(0.5 * b[1]!)
    // The whole dictionary still reconstructs (the price of nesting is small on this data).
    expect(m[2]!).toBeLessThan(0.25)
    tf.dispose([x])
    matryoshka.dispose()
    plain.dispose()
    expect(tf.memory().numTensors).toBe(before)
  })

  it('is saved as SAELens saves it: jumprelu, the learned threshold, decoder rows folded to norm 1/inputScale', async () => {
    const trainer = SaeTrainer.create(options('matryoshka_batchtopk', { inputScale: 2, totalSteps: 30 }))
    const dict = randomDictionary(dIn, 40, 3)
    await trainer.run(sparseBatches(dict, 64, 3 / 40, 5))
    const threshold = (await trainer.checkpoint()).state.batchTopKThreshold
    expect(threshold).toBeGreaterThan(0)
    const { config, arrays } = await trainer.exportSae({ hookName: 'blocks.0.hook_resid_post' })
    expect(config.architecture).toBe('jumprelu')
    expect(config.k).toBeNull()
    expect(arrays.threshold).toEqual(new Float32Array(dSae).fill(threshold))
    expect(Math.hypot(...arrays.wDec.slice(0, dIn))).toBeCloseTo(0.5, 5)
    const files = saeLensFiles(config, arrays)
    const cfg = JSON.parse(files['cfg.json'] as string) as Record<string, unknown>
    expect(cfg.architecture).toBe('jumprelu')
    expect(cfg).not.toHaveProperty('matryoshka_widths') // SAELens's inference config has no such field
    expect((cfg.metadata as Record<string, unknown>)[MATRYOSHKA_WIDTHS_METADATA_KEY]).toEqual([6, 24, 48])
    const back = readSaeLensFolder({ cfg: files['cfg.json'] as string, weights: files['sae_weights.safetensors'] as Uint8Array })
    expect(back.config.architecture).toBe('jumprelu')
    expect(back.arrays.threshold).toEqual(arrays.threshold)
    trainer.dispose()
  })

  it('defaults its widths, and rejects bad ones or widths on another architecture', () => {
    const t = SaeTrainer.create({ architecture: 'matryoshka_batchtopk', dIn: 8, dSae: 64, totalSteps: 5 })
    expect(t.config.matryoshkaWidths).toEqual([2, 8, 16, 64])
    t.dispose()
    const plain = SaeTrainer.create({ architecture: 'batchtopk', dIn: 8, dSae: 64, totalSteps: 5 })
    expect(plain.config).not.toHaveProperty('matryoshkaWidths') // other architectures' checkpoints are unchanged
    plain.dispose()
    expect(() => SaeTrainer.create({ architecture: 'matryoshka_batchtopk', dIn: 8, dSae: 64, totalSteps: 5, matryoshkaWidths: [16, 8, 64] })).toThrow(/strictly ascending/)
    expect(() => SaeTrainer.create({ architecture: 'matryoshka_batchtopk', dIn: 8, dSae: 64, totalSteps: 5, matryoshkaWidths: [8, 32] })).toThrow(/last matryoshka width must be d_sae \(64\)/)
    expect(() => SaeTrainer.create({ architecture: 'matryoshka_batchtopk', dIn: 8, dSae: 64, totalSteps: 5, k: 65 })).toThrow(/k must be in \(0, dSae\]/)
    expect(() => SaeTrainer.create({ architecture: 'topk', dIn: 8, dSae: 64, totalSteps: 5, matryoshkaWidths: [8, 64] })).toThrow(/matryoshka_batchtopk only/)
  })
})
