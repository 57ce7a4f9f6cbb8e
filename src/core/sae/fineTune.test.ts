// Fine-tuning starts from the loaded SAE exactly: its step-0 checkpoint (input scale unfolded) exports back to the
// same SAE, for each architecture, and training from it moves the weights; unsupported SAEs are refused clearly.
import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { selectBackend } from '../backend/backend.ts'
import { fineTuneCheckpoint } from './fineTune.ts'
import { foldInputScale, renormaliseDecoder } from './fold.ts'
import { Sae } from './sae.ts'
import { randomArray, randomTensor } from './testing/random.ts'
import { SaeTrainer } from './trainer.ts'
import { defaultSaeConfig, type SaeArchitecture, type SaeArrays, type SaeConfig } from './types.ts'

beforeAll(async () => {
  await selectBackend(['wasm'])
})

const D_IN = 6
const D_SAE = 10

function loadedSae(architecture: SaeArchitecture): { config: SaeConfig; arrays: SaeArrays } {
  const config = defaultSaeConfig(architecture, D_IN, D_SAE, architecture === 'topk' ? 3 : null)
  let arrays: SaeArrays = {
    wEnc: randomArray(D_IN * D_SAE, 1, 0.5),
    wDec: randomArray(D_SAE * D_IN, 2, 0.5),
    bEnc: randomArray(D_SAE, 3, 0.1, 0.05),
    bDec: randomArray(D_IN, 4, 0.1),
    threshold: architecture === 'jumprelu' ? randomArray(D_SAE, 5, 0.01, 0.05).map(Math.abs) : null,
  }
  // SAELens topk files rank raw pre-activations with unit-norm decoder rows (as Monoscope exports them).
  if (architecture === 'topk') arrays = renormaliseDecoder({ ...config, rescaleActsByDecoderNorm: true }, arrays)
  return { config, arrays }
}

function acts(config: SaeConfig, arrays: SaeArrays, x: tf.Tensor2D): Float32Array {
  const sae = Sae.fromArrays(config, arrays)
  try {
    const f = sae.featureActsScaled(x) // [n, dSae]
    const out = f.dataSync() as Float32Array
    f.dispose()
    return out
  } finally {
    sae.dispose()
  }
}

describe('fineTuneCheckpoint', () => {
  for (const architecture of ['standard', 'topk', 'jumprelu'] as const) {
    it(`${architecture}: step 0 computes the loaded SAE, and training moves it`, async () => {
      const loaded = loadedSae(architecture)
      const x = randomTensor([16, D_IN], 9) as tf.Tensor2D // [16, dIn]
      const before = tf.memory().numTensors
      const checkpoint = fineTuneCheckpoint(loaded, { totalSteps: 5, inputScale: 2.5, lr: 1e-2 })
      expect(checkpoint.config.architecture).toBe(architecture)
      expect(checkpoint.config.sparsityWarmupFraction).toBe(0)
      const trainer = SaeTrainer.fromCheckpoint(checkpoint)
      const start = await trainer.exportSae()
      const want = acts(loaded.config, loaded.arrays, x)
      const got = acts(start.config, start.arrays, x)
      for (let i = 0; i < want.length; i++) expect(got[i]).toBeCloseTo(want[i]!, 5)
      expect(want.some((v) => v > 0)).toBe(true) // the comparison covers active latents

      const scaled = tf.mul(x, 1 / 2.5) as tf.Tensor2D // [16, dIn]
      await trainer.trainStep(scaled)
      scaled.dispose()
      const moved = (await trainer.exportSae()).arrays.wEnc
      expect(moved.some((v, i) => Math.abs(v - start.arrays.wEnc[i]!) > 1e-6)).toBe(true)
      trainer.dispose()
      expect(tf.memory().numTensors).toBe(before)
      x.dispose()
    })
  }

  it('refuses SAEs it cannot continue exactly', async () => {
    const loaded = loadedSae('standard')
    expect(() => fineTuneCheckpoint({ ...loaded, config: { ...loaded.config, normalizeActivations: 'layer_norm' } }, { totalSteps: 5 })).toThrow(/normalize_activations "layer_norm"/)
    const topk = loadedSae('topk')
    // One row stretched: ranking by pre·‖W_dec,i‖ would favour that latent.
    const stretched = { ...topk.arrays, wDec: topk.arrays.wDec.map((v, i) => (i < D_IN ? v * 2 : v)) }
    expect(() => fineTuneCheckpoint({ config: topk.config, arrays: stretched }, { totalSteps: 5 })).toThrow(/decoder rows differ in norm/)
  })

  it('topk: an export with its input scale folded in (every decoder row of norm 1/s) starts from the same SAE', async () => {
    const topk = loadedSae('topk')
    const folded = { config: topk.config, arrays: foldInputScale(topk.arrays, 2.5) } // rows of norm 0.4, as Monoscope exports
    const x = randomTensor([16, D_IN], 9) as tf.Tensor2D // [16, dIn]
    const trainer = SaeTrainer.fromCheckpoint(fineTuneCheckpoint(folded, { totalSteps: 5, inputScale: 2.5 }))
    const start = await trainer.exportSae()
    const want = acts(folded.config, folded.arrays, x)
    const got = acts(start.config, start.arrays, x)
    for (let i = 0; i < want.length; i++) expect(got[i]).toBeCloseTo(want[i]!, 5)
    expect(want.some((v) => v > 0)).toBe(true)
    trainer.dispose()
    x.dispose()
  })
})
