import { describe, expect, it } from 'vitest'
import { ModelConfigError } from '../errors.ts'
import { gpt2ConfigToJson, parseGpt2Config } from './config.ts'

// openai-community/gpt2's config.json, abridged to the keys that matter plus a few that do not.
const GPT2_SMALL = {
  activation_function: 'gelu_new',
  architectures: ['GPT2LMHeadModel'],
  attn_pdrop: 0.1,
  bos_token_id: 50256,
  eos_token_id: 50256,
  layer_norm_epsilon: 1e-5,
  model_type: 'gpt2',
  n_ctx: 1024,
  n_embd: 768,
  n_head: 12,
  n_layer: 12,
  n_positions: 1024,
  task_specific_params: { 'text-generation': { do_sample: true, max_length: 50 } },
  vocab_size: 50257,
}

describe('parseGpt2Config', () => {
  it('reads GPT-2 small', () => {
    expect(parseGpt2Config(GPT2_SMALL)).toEqual({
      vocabSize: 50257,
      nCtx: 1024,
      dModel: 768,
      nLayers: 12,
      nHeads: 12,
      dMlp: 3072,
      layerNormEps: 1e-5,
      activation: 'gelu_new',
      bosTokenId: 50256,
      eosTokenId: 50256,
      tieWordEmbeddings: true,
    })
  })

  it('takes n_ctx when n_positions is absent, n_inner when given, and Hugging Face defaults otherwise', () => {
    const { n_positions: _, layer_norm_epsilon: __, activation_function: ___, bos_token_id: ____, eos_token_id: _____, ...rest } = GPT2_SMALL
    const c = parseGpt2Config({ ...rest, n_ctx: 256, n_inner: 1000 })
    expect(c.nCtx).toBe(256)
    expect(c.dMlp).toBe(1000)
    expect(c.layerNormEps).toBe(1e-5)
    expect(c.activation).toBe('gelu_new')
    expect(c.bosTokenId).toBeNull()
    expect(parseGpt2Config({ ...GPT2_SMALL, n_inner: null }).dMlp).toBe(3072)
    expect(parseGpt2Config({ ...GPT2_SMALL, activation_function: 'gelu_pytorch_tanh' }).activation).toBe('gelu_new')
    expect(parseGpt2Config({ ...GPT2_SMALL, activation_function: 'relu' }).activation).toBe('relu')
  })

  const bad: [string, unknown, RegExp][] = [
    ['not an object', [1, 2], /must be a JSON object/],
    ['another architecture', { ...GPT2_SMALL, model_type: 'llama' }, /model_type must be "gpt2" \(got "llama"\)/],
    ['a missing width', { ...GPT2_SMALL, n_embd: undefined }, /n_embd: .*missing/],
    ['a string layer count', { ...GPT2_SMALL, n_layer: '12' }, /n_layer: .*got "12"/],
    ['a fractional head count', { ...GPT2_SMALL, n_head: 1.5 }, /n_head/],
    ['a zero vocabulary', { ...GPT2_SMALL, vocab_size: 0 }, /vocab_size/],
    ['no context length', { ...GPT2_SMALL, n_positions: undefined, n_ctx: undefined }, /n_positions \(or n_ctx\)/],
    ['heads not dividing the width', { ...GPT2_SMALL, n_head: 7 }, /n_embd \(768\) must be divisible by n_head \(7\)/],
    ['an unknown activation', { ...GPT2_SMALL, activation_function: 'swish' }, /activation_function "swish"/],
    ['a negative epsilon', { ...GPT2_SMALL, layer_norm_epsilon: -1 }, /layer_norm_epsilon/],
    ['an eos id past the vocabulary', { ...GPT2_SMALL, eos_token_id: 50257 }, /eos_token_id \(50257\) must be below vocab_size/],
    ['an unsupported attention variant', { ...GPT2_SMALL, scale_attn_by_inverse_layer_idx: true }, /scale_attn_by_inverse_layer_idx/],
    // Hostile sizes fail at once, before anything is allocated (n_layer 1e8 once ran 35 s and 2.5 GB first).
    ['a hundred million layers', { ...GPT2_SMALL, n_layer: 1e8 }, /n_layer: .*<=1024.*got 100000000/],
    ['a vocabulary past the ceiling', { ...GPT2_SMALL, vocab_size: 2 ** 31 }, /vocab_size/],
    ['sizes within each ceiling that multiply past a tab', { ...GPT2_SMALL, n_embd: 65_536, n_head: 64, n_layer: 64 }, /B parameters; Monoscope loads at most 2B/],
    ['an epsilon of 1e300', { ...GPT2_SMALL, layer_norm_epsilon: 1e300 }, /layer_norm_epsilon/],
    // A field this engine would otherwise ignore: unscaled attention is refused by name.
    ['unscaled attention', { ...GPT2_SMALL, scale_attn_weights: false }, /scale_attn_weights/],
  ]
  for (const [label, json, message] of bad) {
    it(`rejects ${label} with ModelConfigError`, () => {
      expect(() => parseGpt2Config(json)).toThrow(ModelConfigError)
      expect(() => parseGpt2Config(json)).toThrow(message)
    })
  }

  it('takes scale_attn_weights: true, as GPT-2 small writes it', () => {
    expect(parseGpt2Config({ ...GPT2_SMALL, scale_attn_weights: true }).dModel).toBe(768)
  })

  it('round-trips through gpt2ConfigToJson', () => {
    const c = parseGpt2Config({ ...GPT2_SMALL, n_inner: 1000, activation_function: 'gelu' })
    expect(parseGpt2Config(gpt2ConfigToJson(c))).toEqual(c)
    expect(gpt2ConfigToJson(c, { tiedLmHead: false }).tie_word_embeddings).toBe(false)
  })
})
