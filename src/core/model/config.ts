// Reads a Hugging Face GPT-2 `config.json` into the engine's camelCase config, and writes one back.
import { z } from 'zod'
import { MODEL_LIMITS, NORM_EPS_RANGE } from './limits.ts'
import { ModelConfigError } from '../errors.ts'
import { describeValue } from '../formats/safeJson.ts'

export type Gpt2Activation = 'gelu_new' | 'gelu' | 'relu'

export interface Gpt2Config {
  vocabSize: number
  nCtx: number
  dModel: number
  nLayers: number
  nHeads: number
  dMlp: number
  layerNormEps: number
  activation: Gpt2Activation
  bosTokenId: number | null
  eosTokenId: number | null
  /**
   * config.json's tie_word_embeddings (default true): true unembeds with wte.weight, as Hugging Face does even when
   * an lm_head.weight is stored; false requires lm_head.weight. Absent on configs built in memory: then the
   * weights decide (a distinct lm_head.weight is used).
   */
  tieWordEmbeddings?: boolean
}

const positiveInt = z.number().int().positive()
const upTo = (max: number) => positiveInt.max(max)
const tokenId = z.number().int().nonnegative().nullable().optional()

// Hugging Face spells the same tanh approximation three ways; they are one function.
const ACTIVATION_ALIASES: Record<string, Gpt2Activation> = {
  gelu_new: 'gelu_new',
  gelu_pytorch_tanh: 'gelu_new',
  gelu_fast: 'gelu_new',
  gelu: 'gelu',
  relu: 'relu',
}

const hfGpt2ConfigSchema = z.looseObject({
  model_type: z.literal('gpt2'),
  vocab_size: upTo(MODEL_LIMITS.vocabSize),
  n_positions: upTo(MODEL_LIMITS.nCtx).optional(),
  n_ctx: upTo(MODEL_LIMITS.nCtx).optional(),
  n_embd: upTo(MODEL_LIMITS.dModel),
  n_layer: upTo(MODEL_LIMITS.nLayers),
  n_head: upTo(MODEL_LIMITS.nHeads),
  n_inner: upTo(MODEL_LIMITS.dMlp).nullable().optional(), // null: 4 * n_embd, GPT-2's own ratio
  layer_norm_epsilon: z.number().min(NORM_EPS_RANGE.min).max(NORM_EPS_RANGE.max).optional(), // default 1e-5: GPT-2's value
  // HF's GPT-2 divides attention scores by √head_dim unless this is false; this engine always does.
  scale_attn_weights: z.literal(true).optional(),
  // Hugging Face's default ties the unembedding to wte; false needs an lm_head.weight in the weights.
  tie_word_embeddings: z.boolean().optional(),
  activation_function: z.string().optional(), // default gelu_new: GPT-2's value
  bos_token_id: tokenId,
  eos_token_id: tokenId,
  // Variants this engine does not implement: refuse them instead of computing something else.
  scale_attn_by_inverse_layer_idx: z.boolean().optional(),
  reorder_and_upcast_attn: z.boolean().optional(),
  add_cross_attention: z.boolean().optional(),
})

function fieldValue(json: unknown, path: PropertyKey[]): string {
  let v: unknown = json
  for (const key of path) v = v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[key] : undefined
  return v === undefined ? 'missing' : `got ${describeValue(v)}`
}

/** Parses a GPT-2 `config.json` object; throws ModelConfigError naming the offending field. */
export function parseGpt2Config(json: unknown): Gpt2Config {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new ModelConfigError('config.json must be a JSON object')
  }
  const parsed = hfGpt2ConfigSchema.safeParse(json)
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const field = issue.path.join('.') || '(root)'
      if (field === 'model_type') return `model_type must be "gpt2" (${fieldValue(json, issue.path)}); only GPT-2-architecture models are supported`
      return `${field}: ${issue.message.replace(/^Invalid input: /, '')} (${fieldValue(json, issue.path)})`
    })
    throw new ModelConfigError(`Invalid config.json: ${problems.join('; ')}`)
  }
  const c = parsed.data
  const nCtx = c.n_positions ?? c.n_ctx
  if (nCtx === undefined) throw new ModelConfigError('Invalid config.json: n_positions (or n_ctx) is missing')
  if (c.n_embd % c.n_head !== 0) {
    throw new ModelConfigError(`Invalid config.json: n_embd (${c.n_embd}) must be divisible by n_head (${c.n_head})`)
  }
  const dMlp = c.n_inner ?? 4 * c.n_embd
  const parameters = (c.vocab_size + nCtx) * c.n_embd + c.n_layer * (4 * c.n_embd * c.n_embd + 2 * c.n_embd * dMlp)
  if (parameters > MODEL_LIMITS.parameters) {
    throw new ModelConfigError(`Invalid config.json: these sizes make ${(parameters / 1e9).toFixed(1)}B parameters; Monoscope loads at most ${MODEL_LIMITS.parameters / 1e9}B`)
  }
  const activationName = c.activation_function ?? 'gelu_new'
  const activation = ACTIVATION_ALIASES[activationName]
  if (activation === undefined) {
    throw new ModelConfigError(`Invalid config.json: activation_function "${activationName}" is not supported; use gelu_new, gelu or relu`)
  }
  for (const flag of ['scale_attn_by_inverse_layer_idx', 'reorder_and_upcast_attn', 'add_cross_attention'] as const) {
    if (c[flag] === true) throw new ModelConfigError(`Invalid config.json: ${flag}=true is not supported by this GPT-2 engine`)
  }
  const bosTokenId = c.bos_token_id ?? null
  const eosTokenId = c.eos_token_id ?? null
  for (const [field, id] of [['bos_token_id', bosTokenId], ['eos_token_id', eosTokenId]] as const) {
    if (id !== null && id >= c.vocab_size) {
      throw new ModelConfigError(`Invalid config.json: ${field} (${id}) must be below vocab_size (${c.vocab_size})`)
    }
  }
  return {
    vocabSize: c.vocab_size,
    nCtx,
    dModel: c.n_embd,
    nLayers: c.n_layer,
    nHeads: c.n_head,
    dMlp: c.n_inner ?? 4 * c.n_embd,
    layerNormEps: c.layer_norm_epsilon ?? 1e-5,
    activation,
    bosTokenId,
    eosTokenId,
    tieWordEmbeddings: c.tie_word_embeddings ?? true,
  }
}

/**
 * The `config.json` Hugging Face writes for this config (what `parseGpt2Config` reads back).
 * Pass `tiedLmHead: false` when the weights carry their own `lm_head.weight`: Hugging Face ignores it otherwise.
 */
export function gpt2ConfigToJson(config: Gpt2Config, opts: { tiedLmHead?: boolean } = {}): Record<string, unknown> {
  return {
    architectures: ['GPT2LMHeadModel'],
    model_type: 'gpt2',
    vocab_size: config.vocabSize,
    n_positions: config.nCtx,
    n_ctx: config.nCtx,
    n_embd: config.dModel,
    n_layer: config.nLayers,
    n_head: config.nHeads,
    n_inner: config.dMlp === 4 * config.dModel ? null : config.dMlp,
    activation_function: config.activation,
    layer_norm_epsilon: config.layerNormEps,
    bos_token_id: config.bosTokenId,
    eos_token_id: config.eosTokenId,
    tie_word_embeddings: opts.tiedLmHead ?? config.tieWordEmbeddings ?? true,
    resid_pdrop: 0,
    embd_pdrop: 0,
    attn_pdrop: 0,
  }
}

/** Size of one attention head. */
export const headDim = (config: Gpt2Config): number => config.dModel / config.nHeads
