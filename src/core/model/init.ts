// Fresh GPT-2 weights from a seed, initialised as GPT-2 was (what a trainer starts TinyWorld from).
import type { TensorEntry } from '../formats/safetensors.ts'
import { createRng, type Rng } from '../generate/rng.ts'
import type { Gpt2Config } from './config.ts'
import { gpt2ParameterShapes } from './weights.ts'

export interface InitOptions {
  seed: number
  /** Std of weights and embeddings; 0.02 is GPT-2's (and nanoGPT's) choice. */
  std?: number
}

function normal(rng: Rng, size: number, std: number): Float32Array {
  const out = new Float32Array(size)
  for (let i = 0; i < size; i++) out[i] = rng.nextNormal() * std
  return out
}

/**
 * GPT-2's initialisation: N(0, std) weights and embeddings, zero biases, unit LayerNorm gains, and the two
 * residual projections (attn.c_proj, mlp.c_proj) scaled by 1/√(2·nLayers) so the residual stream's
 * variance does not grow with depth (GPT-2 paper, §2.3). Bare Hugging Face names; tied lm_head.
 */
export function initGpt2Tensors(config: Gpt2Config, opts: InitOptions): Map<string, TensorEntry> {
  const rng = createRng(opts.seed)
  const std = opts.std ?? 0.02
  const out = new Map<string, TensorEntry>()
  for (const [name, shape] of gpt2ParameterShapes(config)) {
    const size = shape.reduce((a, b) => a * b, 1)
    let data: Float32Array
    if (/ln_(1|2|f)\.weight$/.test(name)) data = new Float32Array(size).fill(1)
    else if (name.endsWith('.bias')) data = new Float32Array(size)
    else if (name.endsWith('c_proj.weight')) data = normal(rng, size, std / Math.sqrt(2 * config.nLayers))
    else data = normal(rng, size, std)
    out.set(name, { dtype: 'F32', shape: [...shape], data })
  }
  return out
}
