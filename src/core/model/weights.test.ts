import { describe, expect, it } from 'vitest'
import { ModelWeightsError } from '../errors.ts'
import type { TensorEntry } from '../formats/safetensors.ts'
import { makeTinyGpt2 } from '../testing/tinyModel.ts'
import { gpt2ParameterShapes, mapGpt2Weights } from './weights.ts'

const base = { seed: 1, nLayers: 2, dModel: 8, nHeads: 2, vocab: 11, nCtx: 6 }

describe('mapGpt2Weights', () => {
  it('maps every naming variant onto the same canonical names and data', () => {
    const reference = mapGpt2Weights(makeTinyGpt2(base).config, makeTinyGpt2(base).tensors)
    expect([...reference.tensors.keys()]).toEqual([...gpt2ParameterShapes(makeTinyGpt2(base).config).keys()])
    for (const naming of ['transformer-prefix', 'bare'] as const) {
      for (const withAttnBias of [false, true]) {
        for (const withLmHead of [false, true]) {
          const { config, tensors } = makeTinyGpt2({ ...base, naming, withAttnBias, withLmHead })
          const mapped = mapGpt2Weights(config, tensors)
          expect(mapped.tiedLmHead).toBe(true)
          expect([...mapped.tensors.keys()]).toEqual([...reference.tensors.keys()])
          for (const [name, entry] of mapped.tensors) expect(entry.data).toEqual(reference.tensors.get(name)!.data)
        }
      }
    }
  })

  it('keeps a distinct lm_head', () => {
    const { config, tensors } = makeTinyGpt2({ ...base, untiedLmHead: true })
    const mapped = mapGpt2Weights(config, tensors)
    expect(mapped.tiedLmHead).toBe(false)
    expect(mapped.tensors.get('lm_head.weight')!.shape).toEqual([11, 8])
  })

  it('follows config.json\'s tie_word_embeddings as Hugging Face does', () => {
    const { config, tensors } = makeTinyGpt2({ ...base, untiedLmHead: true })
    // Tied (the default): wte unembeds and the stored lm_head is ignored, as in transformers.
    const tied = mapGpt2Weights({ ...config, tieWordEmbeddings: true }, tensors)
    expect(tied.tiedLmHead).toBe(true)
    expect(tied.tensors.has('lm_head.weight')).toBe(false)
    expect(mapGpt2Weights({ ...config, tieWordEmbeddings: false }, tensors).tiedLmHead).toBe(false)
    // Untied but nothing to unembed with: refused by name instead of quietly using wte.
    const withoutHead = makeTinyGpt2(base)
    expect(() => mapGpt2Weights({ ...withoutHead.config, tieWordEmbeddings: false }, withoutHead.tensors)).toThrow(
      'config.json sets tie_word_embeddings to false, but the weights have no "lm_head.weight" to unembed with',
    )
  })

  it('refuses NaN, infinity and magnitudes no model holds in any weight, naming the tensor and the index', () => {
    // 2^100 and -3.0633e38: a flipped exponent bit (the loadModel fuzz target's case 2758 gave infinite logits).
    for (const bad of [NaN, Infinity, -Infinity, 2 ** 100, -3.0633275701791413e38]) {
      const f = variant((t) => {
        const e = t.get('transformer.h.1.attn.c_proj.weight')!
        const data = e.data.slice()
        data[5] = bad
        t.set('transformer.h.1.attn.c_proj.weight', { ...e, data })
      })
      expect(f).toThrow(ModelWeightsError)
      expect(f).toThrow(`Tensor "h.1.attn.c_proj.weight" holds ${Math.fround(bad)} at flat index 5; model weights must be finite, within ±1e+6`)
    }
    // The control: a large but plausible weight loads.
    expect(
      variant((t) => {
        const e = t.get('transformer.h.1.attn.c_proj.weight')!
        const data = e.data.slice()
        data[5] = 60_000
        t.set('transformer.h.1.attn.c_proj.weight', { ...e, data })
      }),
    ).not.toThrow()
  })

  const variant = (edit: (t: Map<string, TensorEntry>) => void) => {
    const { config, tensors } = makeTinyGpt2({ ...base, naming: 'transformer-prefix' })
    edit(tensors)
    return () => mapGpt2Weights(config, tensors)
  }

  it('names missing tensors', () => {
    const f = variant((t) => {
      t.delete('transformer.h.1.mlp.c_fc.weight')
      t.delete('transformer.ln_f.bias')
    })
    expect(f).toThrow(ModelWeightsError)
    expect(f).toThrow(/lack 2 of 28 GPT-2 tensors: h\.1\.mlp\.c_fc\.weight, ln_f\.bias/)
    expect(variant((t) => t.clear())).toThrow(/is this a GPT-2 checkpoint\?/)
  })

  it('names a tensor with the wrong shape, including a transposed Conv1D weight', () => {
    const transposed = variant((t) => {
      const e = t.get('transformer.h.0.attn.c_attn.weight')!
      t.set('transformer.h.0.attn.c_attn.weight', { ...e, shape: [24, 8] })
    })
    expect(transposed).toThrow(ModelWeightsError)
    expect(transposed).toThrow('Tensor "h.0.attn.c_attn.weight" has shape [24, 8], but the config needs [8, 24]')
    expect(variant((t) => t.set('transformer.wpe.weight', { dtype: 'F32', shape: [1024, 8], data: new Float32Array(8192) }))).toThrow(/"wpe\.weight" has shape \[1024, 8\].*\[6, 8\]/)
    expect(variant((t) => t.set('lm_head.weight', { dtype: 'F32', shape: [12, 8], data: new Float32Array(96) }))).toThrow(/"lm_head\.weight"/)
    expect(variant((t) => t.set('transformer.ln_f.bias', { dtype: 'F32', shape: [8], data: new Float32Array(7) }))).toThrow(/holds 7 values/)
  })

  it('refuses layers beyond n_layer and duplicated names', () => {
    expect(variant((t) => t.set('transformer.h.2.ln_1.weight', { dtype: 'F32', shape: [8], data: new Float32Array(8) }))).toThrow(/layer 2, but config.json says n_layer=2/)
    expect(variant((t) => t.set('wte.weight', t.get('transformer.wte.weight')!))).toThrow(/appears twice/)
  })
})
