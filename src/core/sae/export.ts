// From trainer state to an SAELens SAE on raw activations: W_decᵀ back to [dSae, dIn]; topk/batchtopk/matryoshka
// decoder norms folded into the encoder (as SAELens's save_inference_model does); batchtopk and matryoshka_batchtopk
// saved as jumprelu with the learned threshold (SAELens saves both so; it keeps no widths, Monoscope notes them in
// metadata); then the input scale folded in, so the file needs no normalisation constant.
import type { SaeCheckpoint } from './checkpoint.ts'
import { foldInputScale, renormaliseDecoder } from './fold.ts'
import { MATRYOSHKA_WIDTHS_METADATA_KEY } from './matryoshka.ts'
import { defaultSaeConfig, isBatchTopKFamily, type SaeArrays, type SaeConfig, type SaeMetadata } from './types.ts'

export interface ExportedSae {
  config: SaeConfig
  arrays: SaeArrays
}

/** Metadata key recording the folded input scale (informational: the weights already include it). */
export const INPUT_SCALE_METADATA_KEY = 'monoscope_input_scale'

export function exportTrainedSae(checkpoint: SaeCheckpoint, metadata: Partial<SaeMetadata> = {}): ExportedSae {
  const c = checkpoint.config
  const { dIn, dSae } = c
  const t = (name: string) => checkpoint.tensors[name]!.data
  const wDecT = t('W_dec_T') // [dIn, dSae]
  const wDec = new Float32Array(dSae * dIn) // [dSae, dIn]
  for (let j = 0; j < dIn; j++) for (let i = 0; i < dSae; i++) wDec[i * dIn + j] = wDecT[j * dSae + i]!
  let arrays: SaeArrays = { wEnc: t('W_enc').slice(), wDec, bEnc: t('b_enc').slice(), bDec: t('b_dec').slice(), threshold: null }

  const architecture = isBatchTopKFamily(c.architecture) ? 'jumprelu' : c.architecture
  const base = defaultSaeConfig(architecture, dIn, dSae, c.architecture === 'topk' ? c.k : null)
  let config: SaeConfig = { ...base, applyBDecToInput: c.applyBDecToInput }

  if (c.architecture === 'jumprelu') arrays.threshold = t('log_threshold').map(Math.exp)
  if (c.architecture === 'topk' || isBatchTopKFamily(c.architecture)) {
    // Trained ranking pre·‖W_dec,i‖; after folding the norms are 1 and the ranking is by pre alone.
    arrays = renormaliseDecoder({ ...config, architecture: 'topk', rescaleActsByDecoderNorm: true }, arrays)
    if (isBatchTopKFamily(c.architecture)) arrays.threshold = new Float32Array(dSae).fill(checkpoint.state.batchTopKThreshold)
  }
  if (c.inputScale !== 1) arrays = foldInputScale(arrays, c.inputScale)

  const extra = {
    ...(metadata.extra ?? {}),
    ...(c.inputScale !== 1 ? { [INPUT_SCALE_METADATA_KEY]: c.inputScale } : {}),
    ...(c.matryoshkaWidths ? { [MATRYOSHKA_WIDTHS_METADATA_KEY]: [...c.matryoshkaWidths] } : {}),
  }
  config = { ...config, metadata: { ...config.metadata, ...metadata, extra } }
  return { config, arrays }
}
