// The trainer's parameters. W_dec is held transposed ([dIn, dSae], like W_enc): the hand-written backward pass then
// needs no transpose of an [n, dSae] matrix (tfjs-wasm transposes are as slow as a matmul), and decoder norms are
// column norms computed by one small matmul.
import * as tf from '@tensorflow/tfjs'
import { createRng } from '../generate/rng.ts'

export type ParamName = 'W_enc' | 'b_enc' | 'W_dec_T' | 'b_dec' | 'log_threshold'

export interface TrainParams {
  W_enc: tf.Tensor2D // [dIn, dSae]
  b_enc: tf.Tensor1D // [dSae]
  W_dec_T: tf.Tensor2D // [dIn, dSae] = W_decᵀ
  b_dec: tf.Tensor1D // [dIn]
  /** JumpReLU only: θ = exp(log_threshold) keeps thresholds positive (SAELens, Gemma Scope). */
  log_threshold?: tf.Tensor1D // [dSae]
}

export type ParamArrays = Partial<Record<ParamName, Float32Array>>

export function paramShapes(dIn: number, dSae: number): Record<ParamName, number[]> {
  return { W_enc: [dIn, dSae], b_enc: [dSae], W_dec_T: [dIn, dSae], b_dec: [dIn], log_threshold: [dSae] }
}

export function paramNames(params: TrainParams): ParamName[] {
  return (['W_enc', 'b_enc', 'W_dec_T', 'b_dec', 'log_threshold'] as const).filter((n) => params[n] !== undefined)
}

export interface InitOptions {
  dIn: number
  dSae: number
  seed: number
  /** Norm of each decoder row at the start. */
  decoderInitNorm: number
  /** JumpReLU only: the initial threshold θ. */
  initThreshold: number | null
}

/**
 * Decoder rows in uniformly random directions with norm `decoderInitNorm`, W_enc = W_decᵀ, zero biases (Anthropic's
 * April 2024 update; SAELens's default). Seeded, so every backend starts from the same bits.
 */
export function initParamArrays(o: InitOptions): ParamArrays {
  const { dIn, dSae } = o
  const rng = createRng(o.seed)
  const wDecT = new Float32Array(dIn * dSae) // [dIn, dSae]
  const row = new Float64Array(dIn)
  for (let i = 0; i < dSae; i++) {
    let sum = 0
    for (let j = 0; j < dIn; j++) {
      row[j] = rng.nextNormal()
      sum += row[j]! ** 2
    }
    const scale = o.decoderInitNorm / Math.sqrt(sum)
    for (let j = 0; j < dIn; j++) wDecT[j * dSae + i] = row[j]! * scale
  }
  const out: ParamArrays = { W_enc: wDecT.slice(), b_enc: new Float32Array(dSae), W_dec_T: wDecT, b_dec: new Float32Array(dIn) }
  if (o.initThreshold !== null) out.log_threshold = new Float32Array(dSae).fill(Math.log(o.initThreshold))
  return out
}

export function paramsFromArrays(arrays: ParamArrays, dIn: number, dSae: number): TrainParams {
  const shapes = paramShapes(dIn, dSae)
  const make = (name: ParamName) => tf.tensor(arrays[name]!, shapes[name])
  const params: TrainParams = {
    W_enc: make('W_enc') as tf.Tensor2D,
    b_enc: make('b_enc') as tf.Tensor1D,
    W_dec_T: make('W_dec_T') as tf.Tensor2D,
    b_dec: make('b_dec') as tf.Tensor1D,
  }
  if (arrays.log_threshold) params.log_threshold = make('log_threshold') as tf.Tensor1D
  return params
}
