// Exact reparametrisations of an SAE's weights, on plain arrays (no tensors: the same bits on every backend):
// moving decoder norms into the encoder, and folding an input-scaling constant into the weights.
import { InvalidArgumentError } from '../errors.ts'
import type { SaeArrays, SaeConfig } from './types.ts'

/** ‖W_dec,i‖₂ for each latent i (float64 sums). */
export function decoderRowNorms(config: SaeConfig, wDec: Float32Array): Float32Array {
  const { dIn, dSae } = config
  const norms = new Float32Array(dSae)
  for (let i = 0; i < dSae; i++) {
    let sum = 0
    for (let j = 0; j < dIn; j++) sum += wDec[i * dIn + j]! ** 2
    norms[i] = Math.sqrt(sum)
  }
  return norms
}

const copy = (a: SaeArrays): SaeArrays => ({
  wEnc: a.wEnc.slice(),
  wDec: a.wDec.slice(),
  bEnc: a.bEnc.slice(),
  bDec: a.bDec.slice(),
  threshold: a.threshold ? a.threshold.slice() : null,
})

/**
 * Rescales every latent so that its decoder row has unit norm, multiplying its encoder column, encoder bias and
 * threshold by the old norm: reconstructions are unchanged and the new activations are fᵢ·‖W_dec,i‖ (SAELens's
 * fold_W_dec_norm). Rows of norm zero are left alone. A topk SAE must rank by decoder-scaled activations
 * (rescaleActsByDecoderNorm), or the rescaling would change which latents win, as SAELens also refuses.
 */
export function renormaliseDecoder(config: SaeConfig, arrays: SaeArrays): SaeArrays {
  if (config.architecture === 'topk' && !config.rescaleActsByDecoderNorm) {
    throw new InvalidArgumentError('Renormalising a topk SAE that ranks raw pre-activations (rescale_acts_by_decoder_norm false) would change its top-k choices')
  }
  const { dIn, dSae } = config
  const out = copy(arrays)
  const norms = decoderRowNorms(config, arrays.wDec)
  for (let i = 0; i < dSae; i++) {
    const n = norms[i]!
    if (n === 0) continue
    for (let j = 0; j < dIn; j++) {
      out.wDec[i * dIn + j]! /= n
      out.wEnc[j * dSae + i]! *= n
    }
    out.bEnc[i]! *= n
    if (out.threshold) out.threshold[i]! *= n
  }
  return out
}

/**
 * Weights that act on raw activations x for an SAE trained on s·x (SAELens's fold_activation_norm_scaling_factor):
 * W_enc·s, W_dec/s, b_dec/s. Latent activations are unchanged (so thresholds stay), reconstructions come out in
 * the raw scale.
 */
export function foldInputScale(arrays: SaeArrays, scale: number): SaeArrays {
  if (!(scale > 0) || !Number.isFinite(scale)) throw new InvalidArgumentError(`The input scale must be a positive finite number, got ${scale}`)
  const out = copy(arrays)
  for (let i = 0; i < out.wEnc.length; i++) out.wEnc[i]! *= scale
  for (let i = 0; i < out.wDec.length; i++) out.wDec[i]! /= scale
  for (let i = 0; i < out.bDec.length; i++) out.bDec[i]! /= scale
  return out
}
