import { describe, expect, it } from 'vitest'
import { initGpt2Tensors } from './init.ts'
import { gpt2ParameterShapes } from './weights.ts'
import { parseGpt2Config } from './config.ts'

const config = parseGpt2Config({ model_type: 'gpt2', vocab_size: 64, n_positions: 16, n_embd: 32, n_layer: 2, n_head: 4 })
const std = (a: Float32Array) => Math.sqrt(a.reduce((s, v) => s + v * v, 0) / a.length)

describe('initGpt2Tensors', () => {
  it('initialises as GPT-2 did, reproducibly', () => {
    const t = initGpt2Tensors(config, { seed: 4 })
    expect([...t.keys()]).toEqual([...gpt2ParameterShapes(config).keys()])
    expect(std(t.get('wte.weight')!.data)).toBeCloseTo(0.02, 2)
    expect(std(t.get('h.0.attn.c_proj.weight')!.data)).toBeCloseTo(0.02 / Math.sqrt(4), 2)
    expect(t.get('h.1.ln_2.weight')!.data.every((v) => v === 1)).toBe(true)
    expect(t.get('h.1.mlp.c_fc.bias')!.data.every((v) => v === 0)).toBe(true)
    expect(initGpt2Tensors(config, { seed: 4 }).get('wpe.weight')!.data).toEqual(t.get('wpe.weight')!.data)
    expect(initGpt2Tensors(config, { seed: 5 }).get('wpe.weight')!.data).not.toEqual(t.get('wpe.weight')!.data)
  })
})
