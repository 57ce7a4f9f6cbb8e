// The trainer: recovers a known sparse dictionary, follows the recipe's schedules, resumes bit for bit from a
// checkpoint, stops on NaN keeping the last good state, exports folded SAELens SAEs, and leaks no tensors.
import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { selectBackend } from '../backend/backend.ts'
import { CancelledError, InvalidArgumentError, TrainingDivergedError } from '../errors.ts'
import { checkpointFromBytes, checkpointToBytes, type SaeCheckpoint } from './checkpoint.ts'
import { jumpReluLossAndGrads, standardLossAndGrads, topkLossAndGrads } from './gradients.ts'
import { tidyObject } from './ops.ts'
import { learningRateAt, sparsityCoefficientAt } from './schedule.ts'
import { bestCosines, randomDictionary, sparseBatches } from './testing/synthetic.ts'
import { randomArray } from './testing/random.ts'
import { SaeTrainer, SaeTrainingDivergedError, type TrainLogEntry } from './trainer.ts'
import { paramsFromArrays } from './trainParams.ts'
import type { SaeTrainerOptions } from './trainerConfig.ts'
import type { TrainArchitecture } from './types.ts'

beforeAll(async () => {
  await selectBackend(['wasm'])
})

/** Batches that depend only on the step index, so two runs can be fed the same data. */
function batchAt(step: number, n = 32, dIn = 8): tf.Tensor2D {
  return tf.tensor2d(randomArray(n * dIn, 1000 + step, 1.5), [n, dIn])
}

async function trainSteps(trainer: SaeTrainer, steps: number, data: (step: number) => tf.Tensor2D = (s) => batchAt(s)): Promise<void> {
  for (let i = 0; i < steps; i++) {
    const batch = data(trainer.step)
    await trainer.trainStep(batch)
    batch.dispose()
  }
}

const small = (architecture: TrainArchitecture, extra: Partial<SaeTrainerOptions> = {}): SaeTrainerOptions => ({
  architecture,
  dIn: 8,
  dSae: 24,
  totalSteps: 40,
  k: 3,
  lr: 3e-3,
  l1Coefficient: 0.5,
  l0Coefficient: 0.1,
  jumpReluBandwidth: 0.2,
  jumpReluInitThreshold: 0.3,
  deadWindowTokens: 64, // two batches: AuxK and the dead counters get exercised
  logEvery: 10,
  checkpointEvery: 0,
  seed: 5,
  ...extra,
})

const sameBits = (a: SaeCheckpoint, b: SaeCheckpoint) => {
  expect(a.state).toEqual(b.state)
  expect(Object.keys(a.tensors).sort()).toEqual(Object.keys(b.tensors).sort())
  for (const name of Object.keys(a.tensors)) {
    const x = new Uint32Array(a.tensors[name]!.data.buffer.slice(0))
    const y = new Uint32Array(b.tensors[name]!.data.buffer.slice(0))
    expect(x, name).toEqual(y)
  }
}

describe('recipe schedules', () => {
  it('λ ramps from 0 over the first 5% of steps; lr decays linearly to 0 over the last 20%', async () => {
    expect([0, 25, 50, 51, 999].map((s) => sparsityCoefficientAt(s, 1000, 5, 0.05))).toEqual([0, 2.5, 5, 5, 5])
    expect([0, 799, 800, 900, 999].map((s) => learningRateAt(s, 1000, 1e-3, 0.2))).toEqual([1e-3, 1e-3, 1e-3, 5e-4, 5e-6])
  })

  it('logs the scheduled values and means over each window', async () => {
    const entries: TrainLogEntry[] = []
    const trainer = SaeTrainer.create(small('topk', { totalSteps: 40, sparsityWarmupFraction: 0.5 }), { onLog: (e) => entries.push(e) })
    await trainSteps(trainer, 40)
    expect(entries.map((e) => e.step)).toEqual([10, 20, 30, 40])
    expect(entries.map((e) => e.tokens)).toEqual([320, 640, 960, 1280])
    for (const e of entries) {
      expect(e.l0).toBe(3) // TopK fires exactly k latents per input
      for (const v of [e.loss, e.mse, e.fvu, e.gradNorm, e.deadFraction, e.denseFraction]) expect(Number.isFinite(v)).toBe(true)
      expect(e.loss).toBeCloseTo(e.mse + e.auxLoss, 5)
    }
    expect(entries.some((e) => e.auxLoss > 0)).toBe(true) // AuxK recruited latents that went dead (and revived them)
    expect(entries.at(-1)!.lr).toBeCloseTo((3e-3 * 1) / 8, 10) // step 39 of 40: 1/8 of the last 20%
    trainer.dispose()

    const standard: TrainLogEntry[] = []
    const t2 = SaeTrainer.create(small('standard', { totalSteps: 40, sparsityWarmupFraction: 0.5 }), { onLog: (e) => standard.push(e) })
    await trainSteps(t2, 40)
    expect(standard.map((e) => e.sparsityCoefficient)).toEqual([0.5 * (9 / 20), 0.5 * (19 / 20), 0.5, 0.5])
    t2.dispose()
  })
})

describe('dictionary recovery', () => {
  it('a standard SAE recovers ≥ 90% of a random sparse dictionary (cosine ≥ 0.9) in 2,000 steps', async () => {
    const dIn = 32
    const dict = randomDictionary(dIn, 64, 1)
    const next = sparseBatches(dict, 256, 3 / 64, 2)
    // The recipe's normalisation: scale so that E‖x‖ = √d_in (estimated on a few batches).
    let sum = 0
    for (let i = 0; i < 4; i++) {
      const b = next()
      sum += tf.tidy(() => tf.sum(tf.sqrt(tf.sum(tf.square(b), 1)))).dataSync()[0]!
      b.dispose()
    }
    const inputScale = Math.sqrt(dIn) / (sum / 1024)
    const trainer = SaeTrainer.create({ architecture: 'standard', dIn, dSae: 128, totalSteps: 2000, lr: 1e-3, l1Coefficient: 5, inputScale, logEvery: 500, seed: 3 })
    const before = tf.memory().numTensors
    await trainer.run(next)
    expect(tf.memory().numTensors).toBe(before)
    const { arrays } = (await trainer.exportSae())
    const cos = bestCosines(dict, arrays.wDec, 128)
    const recovered = cos.filter((c) => c >= 0.9).length / 64
    expect(recovered).toBeGreaterThanOrEqual(0.9)
    trainer.dispose()
  })

  it('an untrained SAE does not pass the same bar (the check can fail)', async () => {
    const dict = randomDictionary(32, 64, 1)
    const trainer = SaeTrainer.create({ architecture: 'standard', dIn: 32, dSae: 128, totalSteps: 10, seed: 3 })
    const cos = bestCosines(dict, (await trainer.exportSae()).arrays.wDec, 128)
    expect(cos.filter((c) => c >= 0.9).length / 64).toBeLessThan(0.9)
    trainer.dispose()
  })
})

describe('checkpoints', () => {
  for (const architecture of ['standard', 'topk', 'batchtopk', 'jumprelu', 'matryoshka_batchtopk'] as const) {
    it(`${architecture}: resuming from a checkpoint (and from its bytes) continues bit for bit`, async () => {
      const straight = SaeTrainer.create(small(architecture))
      await trainSteps(straight, 30)

      const first = SaeTrainer.create(small(architecture))
      await trainSteps(first, 15)
      const ckpt = (await first.checkpoint())
      first.dispose()
      const resumed = SaeTrainer.fromCheckpoint(checkpointFromBytes(checkpointToBytes(ckpt)))
      expect(resumed.step).toBe(15)
      await trainSteps(resumed, 15)
      sameBits((await resumed.checkpoint()), (await straight.checkpoint()))
      if (architecture === 'batchtopk' || architecture === 'matryoshka_batchtopk') expect((await resumed.checkpoint()).state.batchTopKThreshold).toBeGreaterThan(0)
      straight.dispose()
      resumed.dispose()
    })
  }

  it('keeps a periodic checkpoint and rejects malformed ones', async () => {
    const trainer = SaeTrainer.create(small('standard', { checkpointEvery: 10 }))
    expect(trainer.lastCheckpoint).toBeNull()
    await trainSteps(trainer, 12)
    expect(trainer.lastCheckpoint!.state.step).toBe(10)
    const ckpt = (await trainer.checkpoint())
    trainer.dispose()
    const { W_enc: _dropped, ...rest } = ckpt.tensors
    expect(() => SaeTrainer.fromCheckpoint({ ...ckpt, tensors: rest })).toThrow(/tensor "W_enc" is missing/)
    expect(() => SaeTrainer.fromCheckpoint({ ...ckpt, config: { ...ckpt.config, dSae: 25 } })).toThrow(/has shape \[8, 24\] but the settings need \[8, 25\]/)
    expect(() => checkpointFromBytes(new Uint8Array(16))).toThrow()
  })
})

describe('divergence', () => {
  it('NaN in a batch stops training with a clear error and the last good checkpoint', async () => {
    const clean = SaeTrainer.create(small('standard'))
    await trainSteps(clean, 6)
    const trainer = SaeTrainer.create(small('standard'))
    let step = 0
    const next = () => {
      const b = batchAt(step)
      step++
      return step === 7 ? (tf.tidy(() => tf.mul(b, tf.scalar(NaN))) as tf.Tensor2D) : b
    }
    const before = tf.memory().numTensors
    const err = await trainer.run(next).then(
      () => null,
      (e: unknown) => e,
    )
    expect(err).toBeInstanceOf(SaeTrainingDivergedError)
    expect(err).toBeInstanceOf(TrainingDivergedError)
    const e = err as SaeTrainingDivergedError
    expect(e.code).toBe('TRAINING_DIVERGED')
    expect(e.message).toMatch(/diverged at step 7: loss NaN/)
    expect(e.checkpoint!.state.step).toBe(6)
    sameBits(e.checkpoint!, await clean.checkpoint())
    expect(trainer.step).toBe(6) // the bad step was not applied
    expect(tf.memory().numTensors).toBeLessThanOrEqual(before + 1) // the un-disposed b of the NaN step
    clean.dispose()
    trainer.dispose()
  })
})

describe('export', () => {
  for (const architecture of ['standard', 'topk', 'jumprelu'] as const) {
    it(`${architecture}: the exported SAELens SAE on raw inputs reproduces the trained one on scaled inputs`, async () => {
      const s = 2.5
      const trainer = SaeTrainer.create(small(architecture, { inputScale: s }))
      await trainSteps(trainer, 20)
      const ckpt = (await trainer.checkpoint())
      const sae = await trainer.toSae({ modelName: 'tinyworld', hookName: 'blocks.2.hook_resid_post' })
      expect(sae.config.metadata).toMatchObject({ modelName: 'tinyworld', hookName: 'blocks.2.hook_resid_post', extra: { monoscope_input_scale: s } })
      const x = batchAt(999)
      const arrays = Object.fromEntries(Object.entries(ckpt.tensors).map(([k, v]) => [k, v.data]))
      const params = paramsFromArrays(arrays, 8, 24)
      const sseTrained = tidyObject(() => {
        const xs = tf.mul(x, s) as tf.Tensor2D
        const o = { applyBDecToInput: true }
        const lg =
          architecture === 'standard'
            ? standardLossAndGrads(params, xs, { ...o, l1: 0 })
            : architecture === 'topk'
              ? topkLossAndGrads(params, xs, { ...o, mode: 'row', k: 3, dead: null, deadCount: 0, kAux: 4, auxCoefficient: 0 })
              : jumpReluLossAndGrads(params, xs, { ...o, l0: 0, bandwidth: 0.2 })
        return { sse: lg.stats.slice([4], [1]) }
      }).sse.dataSync()[0]!
      const e = sae.errorTerm(x)
      const sseExported = tf.sum(tf.square(e)).dataSync()[0]! * s * s
      expect(Math.abs(sseExported - sseTrained) / sseTrained).toBeLessThan(1e-4)
      tf.dispose([x, e, ...Object.values(params)])
      sae.dispose()
      trainer.dispose()
    })
  }

  it('batchtopk is saved as jumprelu with the learned threshold (SAELens), decoder rows of norm 1/inputScale', async () => {
    const trainer = SaeTrainer.create(small('batchtopk', { inputScale: 2 }))
    await trainSteps(trainer, 20)
    const threshold = (await trainer.checkpoint()).state.batchTopKThreshold
    const { config, arrays } = (await trainer.exportSae())
    expect(config.architecture).toBe('jumprelu')
    expect(arrays.threshold).toEqual(new Float32Array(24).fill(threshold))
    const row0 = Math.hypot(...arrays.wDec.slice(0, 8))
    expect(row0).toBeCloseTo(0.5, 5)
    trainer.dispose()
  })
})

describe('lifecycle', () => {
  it('training steps leave tf.memory().numTensors flat', async () => {
    for (const architecture of ['standard', 'topk', 'batchtopk', 'jumprelu', 'matryoshka_batchtopk'] as const) {
      const trainer = SaeTrainer.create(small(architecture))
      await trainSteps(trainer, 3)
      const before = tf.memory().numTensors
      await trainSteps(trainer, 12) // crosses log steps and AuxK activity
      expect(tf.memory().numTensors, architecture).toBe(before)
      trainer.dispose()
    }
  })

  it('run() stops on abort, checks batch shapes and refuses to run past the end', async () => {
    const trainer = SaeTrainer.create(small('standard', { totalSteps: 5 }))
    const controller = new AbortController()
    controller.abort()
    await expect(trainer.run(() => batchAt(0), { signal: controller.signal })).rejects.toThrow(CancelledError)
    const wrong = tf.zeros([4, 7]) as tf.Tensor2D
    await expect(trainer.trainStep(wrong)).rejects.toThrow(/must be \[n, 8\], got \[4, 7\]/)
    wrong.dispose()
    await trainer.run(() => batchAt(0))
    expect(trainer.done).toBe(true)
    const b = batchAt(0)
    await expect(trainer.trainStep(b)).rejects.toThrow(/already finished/)
    b.dispose()
    trainer.dispose()
  })

  it('rejects invalid settings with every problem named', async () => {
    expect(() => SaeTrainer.create({ architecture: 'topk', dIn: 8, dSae: 16, totalSteps: 0, k: 17, lr: -1 })).toThrow(InvalidArgumentError)
    expect(() => SaeTrainer.create({ architecture: 'topk', dIn: 8, dSae: 16, totalSteps: 0, k: 17, lr: -1 })).toThrow(/totalSteps must be a positive integer.*lr must be a positive number.*k must be an integer in \[1, dSae\]/)
    expect(() => SaeTrainer.create({ architecture: 'gated' as TrainArchitecture, dIn: 8, dSae: 16, totalSteps: 5 })).toThrow(/architecture must be one of/)
    expect(() => SaeTrainer.create({ architecture: 'topk', dIn: 8, dSae: 16, totalSteps: 5, denseLatents: 2 })).toThrow(/denseLatents applies to standard only/)
    expect(() => SaeTrainer.create({ architecture: 'standard', dIn: 8, dSae: 16, totalSteps: 5, denseLatents: 16 })).toThrow(/denseLatents must leave some/)
    expect(() => SaeTrainer.create({ architecture: 'standard', dIn: 8, dSae: 16, totalSteps: 5, denseLatents: 1.5 })).toThrow(/denseLatents must be a non-negative integer/)
    expect(() => SaeTrainer.create({ architecture: 'standard', dIn: 8, dSae: 16, totalSteps: 5, denseLatents: 2, denseLatentPenalty: 1 })).toThrow(/denseLatentPenalty must be in \[0, 1\)/)
  })
})
