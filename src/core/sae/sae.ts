// An SAE ready to run: encode, decode, forward, the error term, and activations scaled by decoder norms.
// Follows SAELens's inference SAEs: f = act((x − b_dec·apply_b_dec_to_input)·W_enc + b_enc), x̂ = f·W_dec + b_dec.
import * as tf from '@tensorflow/tfjs'
import { InvalidArgumentError, SaeFormatError } from '../errors.ts'
import { jumpRelu, rowTopKMask } from './activation.ts'
import { decoderRowNorms, renormaliseDecoder } from './fold.ts'
import { denormalizeRows, normalizeRows } from './normalization.ts'
import type { SaeArrays, SaeConfig } from './types.ts'
import { checkSaeArrays } from './weights.ts'
import { matMulBias } from './ops.ts'

export interface SaeOutputs {
  featureActs: tf.Tensor // [..., dSae]
  reconstruction: tf.Tensor // [..., dIn]
  /** x − x̂: adding it back to any (edited) reconstruction gives x exactly when nothing was edited. */
  error: tf.Tensor // [..., dIn]
}

/** Read-only views of the weights, in SAELens's orientation; the Sae owns and disposes them. */
export interface SaeTensors {
  readonly wEnc: tf.Tensor2D // [dIn, dSae]
  readonly wDec: tf.Tensor2D // [dSae, dIn]
  readonly bEnc: tf.Tensor1D // [dSae]
  readonly bDec: tf.Tensor1D // [dIn]
  readonly threshold: tf.Tensor1D | null // [dSae], jumprelu only
}

export class Sae {
  readonly config: SaeConfig
  readonly weights: SaeTensors
  /** ‖W_dec,i‖ [dSae]: topk ranks by it when rescaleActsByDecoderNorm. */
  private readonly norms: tf.Tensor1D
  private disposed = false

  private constructor(config: SaeConfig, arrays: SaeArrays) {
    checkSaeArrays(config, arrays)
    if (config.normalizeActivations === 'expected_average_only_in') {
      throw new SaeFormatError('This SAE expects inputs scaled by a constant that SAE files do not hold (normalize_activations "expected_average_only_in"); load it with normScalingFactor to fold the constant in')
    }
    if (config.architecture === 'topk' && (config.k === null || config.k > config.dSae)) throw new SaeFormatError(`A topk SAE needs 1 ≤ k ≤ d_sae, got ${config.k}`)
    const { dIn, dSae } = config
    this.config = config
    this.weights = {
      wEnc: tf.tensor2d(arrays.wEnc, [dIn, dSae]),
      wDec: tf.tensor2d(arrays.wDec, [dSae, dIn]),
      bEnc: tf.tensor1d(arrays.bEnc),
      bDec: tf.tensor1d(arrays.bDec),
      threshold: arrays.threshold ? tf.tensor1d(arrays.threshold) : null,
    }
    this.norms = tf.tensor1d(decoderRowNorms(config, arrays.wDec))
  }

  /** Copies the arrays into tensors; throws SaeFormatError when their sizes do not match the config. */
  static fromArrays(config: SaeConfig, arrays: SaeArrays): Sae {
    return new Sae(config, arrays)
  }

  /** Latent activations fᵢ, the SAE's own (as SAELens's encode). x [..., dIn] → [..., dSae]. */
  encode(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const rows = this.rows(x, this.config.dIn)
      const f = this.encodeRows(normalizeRows(this.config.normalizeActivations, rows).x)
      return tf.reshape(f, [...x.shape.slice(0, -1), this.config.dSae])
    })
  }

  /**
   * x̂ = f·W_dec + b_dec for f [..., dSae] → [..., dIn]. For the run-time normalisation modes this is in normalised
   * coordinates (the per-input scale is only known from x): use forward or run for the input space.
   */
  decode(f: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const rows = this.rows(f, this.config.dSae)
      return tf.reshape(this.decodeRows(rows), [...f.shape.slice(0, -1), this.config.dIn])
    })
  }

  /** Reconstruction x̂ in the input space. x [..., dIn] → [..., dIn]. */
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const out = this.run(x)
      tf.dispose([out.featureActs, out.error])
      return out.reconstruction
    })
  }

  /** e(x) = x − x̂. */
  errorTerm(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const out = this.run(x)
      tf.dispose([out.featureActs, out.reconstruction])
      return out.error
    })
  }

  /** Activations, reconstruction and error term from one encoder pass. */
  run(x: tf.Tensor): SaeOutputs {
    return tf.tidy(() => {
      const rows = this.rows(x, this.config.dIn)
      const normalized = normalizeRows(this.config.normalizeActivations, rows)
      const f = this.encodeRows(normalized.x) // [n, dSae]
      const xHat = denormalizeRows(this.decodeRows(f), normalized) // [n, dIn]
      const lead = x.shape.slice(0, -1)
      return {
        featureActs: tf.reshape(f, [...lead, this.config.dSae]),
        reconstruction: tf.reshape(xHat, [...lead, this.config.dIn]),
        error: tf.reshape(tf.sub(rows, xHat), [...lead, this.config.dIn]),
      }
    })
  }

  /**
   * fᵢ·‖d_i‖ with d_i the latent's effective decoder direction (W_dec,i, divided by ‖W_dec,i‖ for topk SAEs that
   * rescale): the activation comparable across latents, as the analysis views use. x [..., dIn] → [..., dSae].
   */
  featureActsScaled(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const f = this.encode(x)
      return this.usesRescale() ? f : tf.mul(f, this.norms)
    })
  }

  /** ‖effective decoder direction‖ per latent [dSae] (all ones for a rescaling topk SAE). Caller disposes. */
  decoderNorms(): tf.Tensor1D {
    return tf.tidy(() => (this.usesRescale() ? tf.onesLike(this.norms) : tf.clone(this.norms)) as tf.Tensor1D)
  }

  /** The weights as fresh Float32Arrays (SAELens orientation), read asynchronously (GPU backends never block). */
  async toArrays(): Promise<SaeArrays> {
    const w = this.weights
    const read = async (t: tf.Tensor) => ((await t.data()) as Float32Array).slice()
    return {
      wEnc: await read(w.wEnc),
      wDec: await read(w.wDec),
      bEnc: await read(w.bEnc),
      bDec: await read(w.bDec),
      threshold: w.threshold ? await read(w.threshold) : null,
    }
  }

  /** A new Sae with unit-norm decoder rows and the norms moved into W_enc, b_enc (and the threshold). */
  async renormalised(): Promise<Sae> {
    return Sae.fromArrays(this.config, renormaliseDecoder(this.config, await this.toArrays()))
  }

  dispose(): void {
    if (this.disposed) return
    this.disposed = true
    const w = this.weights
    tf.dispose([w.wEnc, w.wDec, w.bEnc, w.bDec, this.norms, ...(w.threshold ? [w.threshold] : [])])
  }

  private usesRescale(): boolean {
    return this.config.architecture === 'topk' && this.config.rescaleActsByDecoderNorm
  }

  private rows(t: tf.Tensor, width: number): tf.Tensor2D {
    if (this.disposed) throw new InvalidArgumentError('This SAE has been disposed')
    if (t.rank < 1 || t.shape[t.rank - 1] !== width) {
      throw new InvalidArgumentError(`Expected a tensor [..., ${width}], got [${t.shape.join(', ')}]`)
    }
    return tf.reshape(t, [-1, width]) as tf.Tensor2D
  }

  /** x [n, dIn] (already normalised) → f [n, dSae]. */
  private encodeRows(x: tf.Tensor2D): tf.Tensor2D {
    const { wEnc, bEnc, bDec, threshold } = this.weights
    const xc = this.config.applyBDecToInput ? (tf.sub(x, bDec) as tf.Tensor2D) : x // [n, dIn]
    switch (this.config.architecture) {
      case 'standard':
        return matMulBias(xc, wEnc, bEnc, 'relu') // [n, dSae]
      case 'topk': {
        const pre = matMulBias(xc, wEnc, bEnc) // [n, dSae]
        const score = this.usesRescale() ? (tf.mul(pre, this.norms) as tf.Tensor2D) : pre // [n, dSae]
        return tf.mul(tf.relu(score), rowTopKMask(score, this.config.k!)) as tf.Tensor2D // [n, dSae]; relu: +0, not −0, off the mask
      }
      case 'jumprelu':
        return jumpRelu(matMulBias(xc, wEnc, bEnc), threshold!) // [n, dSae]
    }
  }

  /** f [n, dSae] → x̂ [n, dIn] (normalised coordinates). */
  private decodeRows(f: tf.Tensor2D): tf.Tensor2D {
    const { wDec, bDec } = this.weights
    const scaled = this.usesRescale() ? (tf.div(f, this.norms) as tf.Tensor2D) : f // [n, dSae]
    return matMulBias(scaled, wDec, bDec) // [n, dIn]
  }
}
