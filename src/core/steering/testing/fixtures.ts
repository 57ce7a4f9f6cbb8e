// Test helpers for steering: a tiny model, a random SAE on one of its hooks, and tensor comparisons.
import * as tf from '@tensorflow/tfjs'
import { tfjsModelFromTensors } from '../../model/tfjsEngine.ts'
import type { HookedModel } from '../../model/hookedModel.ts'
import { Sae } from '../../sae/sae.ts'
import { randomArray } from '../../sae/testing/random.ts'
import { defaultSaeConfig, type SaeArchitecture, type SaeConfig } from '../../sae/types.ts'
import { makeTinyGpt2 } from '../../testing/tinyModel.ts'

export const D_MODEL = 16
export const D_SAE = 32

/** 2 layers, 16 wide, vocabulary 40; `bosTokenId` as asked (makeTinyGpt2 leaves it null). */
export function tinyModel(bosTokenId: number | null = null): HookedModel {
  const t = makeTinyGpt2({ seed: 7, nLayers: 2, dModel: D_MODEL, nHeads: 2, vocab: 40, nCtx: 24 })
  return tfjsModelFromTensors({ ...t.config, bosTokenId }, t.tensors)
}

/**
 * A random SAE whose decoder rows are far from unit norm (‖W_dec,i‖ ≈ 2), so a mix-up between activation units
 * (fᵢ·‖W_dec,i‖) and raw latents shows. Positive b_enc keeps about half the latents active on any input.
 */
export function randomSae(hook: string | null, opts: { architecture?: SaeArchitecture; patch?: Partial<SaeConfig>; seed?: number } = {}): Sae {
  const architecture = opts.architecture ?? 'standard'
  const base = defaultSaeConfig(architecture, D_MODEL, D_SAE, architecture === 'topk' ? 6 : null)
  const config: SaeConfig = { ...base, ...opts.patch, metadata: { ...base.metadata, hookName: hook } }
  const seed = opts.seed ?? 3
  return Sae.fromArrays(config, {
    wEnc: randomArray(D_MODEL * D_SAE, seed, 1 / Math.sqrt(D_MODEL)),
    wDec: randomArray(D_SAE * D_MODEL, seed + 1, 2 / Math.sqrt(D_MODEL)),
    bEnc: randomArray(D_SAE, seed + 2, 0.2, 0.1),
    bDec: randomArray(D_MODEL, seed + 3, 0.1),
    threshold: architecture === 'jumprelu' ? new Float32Array(D_SAE).fill(0.05) : null,
  })
}

/** Values of a tensor as nested arrays, disposing it. */
export function take<T>(t: tf.Tensor): T {
  const v = t.arraySync() as T
  t.dispose()
  return v
}

export function maxAbsDiffRows(a: number[][], b: number[][]): number {
  let m = 0
  a.forEach((row, i) => row.forEach((v, j) => (m = Math.max(m, Math.abs(v - b[i]![j]!)))))
  return m
}
