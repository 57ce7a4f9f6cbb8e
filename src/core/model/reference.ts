// Test oracle: GPT-2 written as plain Float64 loops straight from the paper and Hugging Face's modeling_gpt2,
// sharing no code with the tfjs engine, so a wrong LayerNorm, GELU, attention scale or Conv1D orientation
// shows up as a mismatch. Slow on purpose; for tiny models in tests only.
import type { TensorEntry } from '../formats/safetensors.ts'
import type { Gpt2Config } from './config.ts'
import { LM_HEAD, mapGpt2Weights } from './weights.ts'

type Matrix = Float64Array[] // rows

/** Abramowitz & Stegun 7.1.26: |error| < 1.5e-7, far below the tests' tolerance. */
function erf(x: number): number {
  const sign = x < 0 ? -1 : 1
  const a = Math.abs(x)
  const t = 1 / (1 + 0.3275911 * a)
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-a * a)
  return sign * y
}

function act(name: Gpt2Config['activation'], x: number): number {
  if (name === 'relu') return Math.max(0, x)
  if (name === 'gelu') return 0.5 * x * (1 + erf(x / Math.SQRT2))
  return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)))
}

function layerNorm(x: Matrix, w: Float32Array, b: Float32Array, eps: number): Matrix {
  return x.map((row) => {
    const n = row.length
    let mean = 0
    for (const v of row) mean += v / n
    let variance = 0
    for (const v of row) variance += (v - mean) ** 2 / n
    const inv = 1 / Math.sqrt(variance + eps)
    return row.map((v, i) => (v - mean) * inv * (w[i] as number) + (b[i] as number))
  })
}

/** Conv1D: x [n, in] @ W [in, out] + b, W stored row-major [in, out]. */
function conv1d(x: Matrix, w: TensorEntry, b: TensorEntry): Matrix {
  const [inDim, outDim] = w.shape as [number, number]
  return x.map((row) => {
    const out = new Float64Array(outDim)
    for (let o = 0; o < outDim; o++) out[o] = b.data[o] as number
    for (let i = 0; i < inDim; i++) {
      const xi = row[i] as number
      for (let o = 0; o < outDim; o++) out[o] = (out[o] as number) + xi * (w.data[i * outDim + o] as number)
    }
    return out
  })
}

export interface ReferenceResult {
  logits: Matrix // [pos, vocab]
  residPost: Matrix[] // per layer, [pos, d]
}

/** One sequence through GPT-2; tensors in any naming variant `mapGpt2Weights` accepts. */
export function referenceGpt2(config: Gpt2Config, tensors: Map<string, TensorEntry>, ids: number[]): ReferenceResult {
  const { tensors: t } = mapGpt2Weights(config, tensors)
  const get = (name: string): TensorEntry => t.get(name) as TensorEntry
  const d = config.dModel
  const dHead = d / config.nHeads
  const wte = get('wte.weight')
  const wpe = get('wpe.weight')
  let x: Matrix = ids.map((id, p) => {
    const row = new Float64Array(d)
    for (let i = 0; i < d; i++) row[i] = (wte.data[id * d + i] as number) + (wpe.data[p * d + i] as number)
    return row
  })
  const residPost: Matrix[] = []
  for (let l = 0; l < config.nLayers; l++) {
    const h = `h.${l}`
    const ln1 = layerNorm(x, get(`${h}.ln_1.weight`).data, get(`${h}.ln_1.bias`).data, config.layerNormEps)
    const qkv = conv1d(ln1, get(`${h}.attn.c_attn.weight`), get(`${h}.attn.c_attn.bias`)) // [pos, 3d]: q | k | v
    const merged: Matrix = ids.map(() => new Float64Array(d))
    for (let head = 0; head < config.nHeads; head++) {
      const off = head * dHead
      for (let i = 0; i < ids.length; i++) {
        const scores: number[] = []
        for (let j = 0; j <= i; j++) {
          let s = 0
          for (let c = 0; c < dHead; c++) s += (qkv[i]![off + c] as number) * (qkv[j]![d + off + c] as number)
          scores.push(s / Math.sqrt(dHead))
        }
        const max = Math.max(...scores)
        const exps = scores.map((s) => Math.exp(s - max))
        const sum = exps.reduce((a, b) => a + b, 0)
        for (let j = 0; j <= i; j++) {
          const p = (exps[j] as number) / sum
          for (let c = 0; c < dHead; c++) merged[i]![off + c] = (merged[i]![off + c] as number) + p * (qkv[j]![2 * d + off + c] as number)
        }
      }
    }
    const attnOut = conv1d(merged, get(`${h}.attn.c_proj.weight`), get(`${h}.attn.c_proj.bias`))
    x = x.map((row, i) => row.map((v, c) => v + (attnOut[i]![c] as number)))
    const ln2 = layerNorm(x, get(`${h}.ln_2.weight`).data, get(`${h}.ln_2.bias`).data, config.layerNormEps)
    const hidden = conv1d(ln2, get(`${h}.mlp.c_fc.weight`), get(`${h}.mlp.c_fc.bias`)).map((row) => row.map((v) => act(config.activation, v)))
    const mlpOut = conv1d(hidden, get(`${h}.mlp.c_proj.weight`), get(`${h}.mlp.c_proj.bias`))
    x = x.map((row, i) => row.map((v, c) => v + (mlpOut[i]![c] as number)))
    residPost.push(x)
  }
  const normed = layerNorm(x, get('ln_f.weight').data, get('ln_f.bias').data, config.layerNormEps)
  const head = t.get(LM_HEAD) ?? wte // [vocab, d], nn.Linear orientation
  const logits = normed.map((row) => {
    const out = new Float64Array(config.vocabSize)
    for (let v = 0; v < config.vocabSize; v++) {
      let s = 0
      for (let c = 0; c < d; c++) s += (row[c] as number) * (head.data[v * d + c] as number)
      out[v] = s
    }
    return out
  })
  return { logits, residPost }
}
