// Fine-tuning: a trainer checkpoint at step 0 whose parameters are an existing SAE's (SAELens layout, acting on raw
// activations), so training continues from that SAE instead of a random init.
//
// The normalisation constant: the loaded SAE acts on raw activations (any constant was folded in when it was
// saved). We estimate a fresh constant s on the new data (so λ and the learning rate mean what they mean for a fresh
// run), and unfold it: the trainer sees s·x, so W_enc/s, W_dec·s, b_dec·s. Latent activations are unchanged, so at
// step 0 the trainer computes exactly the loaded SAE's function; export folds s back in.
import { InvalidArgumentError } from '../errors.ts'
import { CHECKPOINT_FORMAT, emptyWindow, trainedParamNames, type SaeCheckpoint } from './checkpoint.ts'
import { decoderRowNorms } from './fold.ts'
import { paramShapes } from './trainParams.ts'
import { resolveTrainerConfig, type SaeTrainerOptions } from './trainerConfig.ts'
import type { SaeArrays, SaeConfig, TrainArchitecture } from './types.ts'

/** The trainer architecture that continues an SAE of this config. */
export function fineTuneArchitecture(config: SaeConfig): TrainArchitecture {
  return config.architecture
}

/**
 * A step-0 checkpoint holding the SAE's weights (inputScale unfolded) and zero Adam moments. `options` gives the
 * run's settings; architecture, sizes and k come from the SAE. The λ warm-up is off by default: the SAE is already
 * sparse, and ramping λ from 0 would first undo that sparsity.
 */
export function fineTuneCheckpoint(sae: { config: SaeConfig; arrays: SaeArrays }, options: Omit<SaeTrainerOptions, 'architecture' | 'dIn' | 'dSae'>): SaeCheckpoint {
  const { config: sc, arrays: a } = sae
  if (sc.normalizeActivations !== 'none') {
    throw new InvalidArgumentError(`Only SAEs on raw activations can be fine-tuned here; this one has normalize_activations "${sc.normalizeActivations}"`)
  }
  if (sc.reshapeActivations !== 'none') throw new InvalidArgumentError('SAEs on reshaped hook_z activations cannot be fine-tuned here')
  const { dIn, dSae } = sc
  if (sc.architecture === 'topk' && !sc.rescaleActsByDecoderNorm) {
    // The trainer ranks by pre·‖W_dec,i‖; that is the SAE's own ranking only when the rows share one norm: unit, or
    // 1/s once an input scale s is folded in (Monoscope's exports, the committed TopK SAE).
    const norms = decoderRowNorms(sc, a.wDec)
    const mean = norms.reduce((sum, n) => sum + n, 0) / dSae
    if (!(mean > 0) || norms.some((n) => Math.abs(n / mean - 1) > 1e-3)) {
      throw new InvalidArgumentError('This topk SAE ranks raw pre-activations and its decoder rows differ in norm: the trainer would pick other latents')
    }
  }
  const config = resolveTrainerConfig({
    sparsityWarmupFraction: 0,
    ...options,
    architecture: sc.architecture,
    dIn,
    dSae,
    applyBDecToInput: sc.applyBDecToInput,
    ...(sc.architecture === 'topk' ? { k: sc.k ?? options.k } : {}),
  })
  const s = config.inputScale
  const shapes = paramShapes(dIn, dSae)
  const wEnc = a.wEnc.map((v) => v / s) // [dIn, dSae]
  const wDecT = new Float32Array(dIn * dSae) // [dIn, dSae] = (s·W_dec)ᵀ
  for (let i = 0; i < dSae; i++) for (let j = 0; j < dIn; j++) wDecT[j * dSae + i] = a.wDec[i * dIn + j]! * s
  const params: Record<string, Float32Array> = { W_enc: wEnc, b_enc: a.bEnc.slice(), W_dec_T: wDecT, b_dec: a.bDec.map((v) => v * s) }
  if (sc.architecture === 'jumprelu') {
    if (!a.threshold) throw new InvalidArgumentError('This jumprelu SAE has no threshold')
    // θ = exp(log θ); a zero threshold (plain ReLU) becomes the smallest positive float32 one.
    params.log_threshold = a.threshold.map((t) => Math.log(Math.max(t, 1e-38)))
  }
  const tensors: SaeCheckpoint['tensors'] = {}
  for (const name of trainedParamNames(config)) {
    const size = params[name]!.length
    tensors[name] = { shape: shapes[name], data: params[name]! }
    tensors[`adam.m.${name}`] = { shape: shapes[name], data: new Float32Array(size) }
    tensors[`adam.v.${name}`] = { shape: shapes[name], data: new Float32Array(size) }
  }
  tensors.tokens_since_fired = { shape: [dSae], data: new Float32Array(dSae) }
  tensors.window_fire_counts = { shape: [dSae], data: new Float32Array(dSae) }
  return { format: CHECKPOINT_FORMAT, version: 1, config, state: { step: 0, tokensSeen: 0, batchTopKThreshold: 0, window: emptyWindow() }, tensors }
}
