// Direct logit effects of SAE features: the tokens each decoder direction promotes and suppresses through the
// unembedding, d̂ᵢ·W_U, computed in feature chunks with tf.topk so [dSae, vocab] never exists at once.
import * as tf from '@tensorflow/tfjs'
import { InvalidArgumentError } from '../errors.ts'
import type { HookedModel, Unembedding } from '../model/hookedModel.ts'
import { checkpoint, throwIfAborted } from './cancel.ts'

export type { Unembedding }

/** The model's unembedding; engines that cannot expose theirs give no logit effects. */
export function modelUnembedding(model: HookedModel): Unembedding {
  const u = model.unembedding()
  if (!u) throw new InvalidArgumentError(`This ${model.engine.kind} model does not expose its unembedding: logit effects need it`)
  return u
}

export interface LogitEffectOptions {
  /** Tokens kept each way per feature. */
  k: number
  /**
   * Pass the direction through ln_final linearised at a fixed scale, as TransformerLens's fold_ln does: centre
   * it over d_model (LayerNorm subtracts the mean) and multiply by the gain. Default true.
   */
  throughLnFinal?: boolean
  /** Subtract each feature's mean over the vocabulary (TransformerLens's center_unembed; ranks unchanged). Default true. */
  centerVocab?: boolean
  /** Features per matmul; default keeps a chunk's logits near 4M floats (16 MB). */
  chunkSize?: number
}

export interface LogitEffects {
  k: number
  nFeatures: number
  promotedIds: Int32Array // [nFeatures·k], largest effect first
  promotedValues: Float32Array // [nFeatures·k]
  suppressedIds: Int32Array // [nFeatures·k], most negative first
  suppressedValues: Float32Array // [nFeatures·k]
}

/**
 * Per feature, the top-k promoted and suppressed tokens of d̂ᵢ·W_U, with d̂ᵢ = W_dec,i/‖W_dec,i‖: the effect of one
 * unit of the decoder-norm-scaled activation the analysis reports. wDec [nFeatures, dModel] is not disposed.
 */
export async function logitEffects(
  wDec: tf.Tensor2D,
  unembedding: Unembedding,
  opts: LogitEffectOptions,
  progress?: { onProgress?: (fraction: number) => void; signal?: AbortSignal },
): Promise<LogitEffects> {
  const [nFeatures, d] = wDec.shape
  const [vocab, dU] = unembedding.wU.shape
  if (d !== dU) throw new InvalidArgumentError(`Decoder rows are ${d} wide but the unembedding reads ${dU}: logit effects need an SAE on a residual-stream hook`)
  const k = Math.min(opts.k, vocab)
  if (!Number.isInteger(k) || k < 1) throw new InvalidArgumentError(`Logit effects need k ≥ 1, got ${opts.k}`)
  const throughLn = (opts.throughLnFinal ?? true) && unembedding.lnGain !== null
  const centerVocab = opts.centerVocab ?? true
  const chunk = opts.chunkSize ?? Math.max(1, Math.floor(4_194_304 / vocab))
  const out: LogitEffects = {
    k,
    nFeatures,
    promotedIds: new Int32Array(nFeatures * k),
    promotedValues: new Float32Array(nFeatures * k),
    suppressedIds: new Int32Array(nFeatures * k),
    suppressedValues: new Float32Array(nFeatures * k),
  }
  throwIfAborted(progress?.signal)
  // An explicit transpose once: matMul with transposeB is ~40× slower on tfjs-wasm (DESIGN).
  const wUT = tf.tidy(() => tf.transpose(unembedding.wU)) as tf.Tensor2D // [dModel, vocab]
  try {
    for (let f0 = 0; f0 < nFeatures; f0 += chunk) {
      const n = Math.min(chunk, nFeatures - f0)
      const [pi, pv, si, sv] = tf.tidy(() => {
        const rows = tf.slice(wDec, [f0, 0], [n, d]) // [n, dModel]
        const norms = tf.norm(rows, 'euclidean', 1, true) // [n, 1]
        let dirs: tf.Tensor2D = tf.divNoNan(rows, norms) // [n, dModel]; zero rows stay zero
        if (throughLn) dirs = tf.mul(unembedding.centred ? tf.sub(dirs, tf.mean(dirs, 1, true)) : dirs, unembedding.lnGain!) // [n, dModel]
        let logits: tf.Tensor2D = tf.matMul(dirs, wUT) // [n, vocab]
        if (centerVocab) logits = tf.sub(logits, tf.mean(logits, 1, true)) // [n, vocab]
        const top = tf.topk(logits, k) // values, indices [n, k]
        const bottom = tf.topk(tf.neg(logits), k) // [n, k]
        return [top.indices, top.values, bottom.indices, tf.neg(bottom.values)]
      })
      try {
        const [a, b, c, e] = await Promise.all([pi.data(), pv.data(), si.data(), sv.data()])
        out.promotedIds.set(a as Int32Array, f0 * k)
        out.promotedValues.set(b as Float32Array, f0 * k)
        out.suppressedIds.set(c as Int32Array, f0 * k)
        out.suppressedValues.set(e as Float32Array, f0 * k)
      } finally {
        tf.dispose([pi, pv, si, sv])
      }
      progress?.onProgress?.(Math.min(nFeatures, f0 + n) / nFeatures)
      await checkpoint(progress?.signal)
    }
  } finally {
    wUT.dispose()
  }
  return out
}
