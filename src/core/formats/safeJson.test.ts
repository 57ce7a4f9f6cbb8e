// JSON nested deeper than anyone writes must fail with the reader's typed error, and error messages must be built
// safely from any value: before issue 14, JSON.stringify inside message builders overflowed the stack.
import { describe, expect, it } from 'vitest'
import { ModelConfigError, SafetensorsFormatError, SaeFormatError } from '../errors.ts'
import { parseGpt2Config } from '../model/config.ts'
import { parseSaeLensConfig } from '../sae/config.ts'
import { readSafetensors } from './safetensors.ts'
import { describeValue, jsonDepth, parseJsonChecked } from './safeJson.ts'

const nested = (depth: number): string => `${'['.repeat(depth)}${']'.repeat(depth)}`
const deepValue = (depth: number): unknown => JSON.parse(nested(depth))
const fail = (detail: string): never => {
  throw new Error(detail)
}

describe('parseJsonChecked', () => {
  it('parses ordinary JSON and refuses documents nested past the limit, however deep', () => {
    expect(parseJsonChecked('{"a": [1, {"b": 2}]}', fail)).toEqual({ a: [1, { b: 2 }] })
    expect(parseJsonChecked(nested(64), fail)).toBeDefined()
    expect(() => parseJsonChecked(nested(65), fail)).toThrow('JSON nested more than 64 levels deep')
    expect(() => parseJsonChecked(nested(200_000), fail)).toThrow('JSON nested more than 64 levels deep')
    expect(() => parseJsonChecked('{"a": ', fail)).toThrow(/^not valid JSON/)
  })

  it('counts depth without recursion', () => {
    expect(jsonDepth(1)).toBe(0)
    expect(jsonDepth([])).toBe(1)
    expect(jsonDepth({ a: [{ b: [] }] })).toBe(4)
    expect(jsonDepth(deepValue(200_000), 10)).toBe(11) // stops counting past the cap
  })
})

describe('describeValue', () => {
  it('is short and never throws, whatever the value', () => {
    const cyclic: Record<string, unknown> = { a: 1 }
    cyclic.self = cyclic
    const hostile = { get boom(): never { throw new Error('getter') } }
    for (const v of [deepValue(100_000), cyclic, hostile, 10n, Symbol('s'), () => 1, 'x'.repeat(10_000), undefined]) {
      const text = describeValue(v)
      expect(typeof text).toBe('string')
      expect(text.length).toBeLessThanOrEqual(80)
    }
    expect(describeValue([1, 'two', { three: 3 }])).toBe('[1,"two",{"three":3}]')
    expect(describeValue(deepValue(5))).toBe('[[[…]]]')
  })
})

describe('every JSON reader refuses deep nesting with its own typed error', () => {
  it('a safetensors header', () => {
    const json = new TextEncoder().encode(`{"x": ${nested(10_000)}}`)
    const bytes = new Uint8Array(8 + json.length)
    new DataView(bytes.buffer).setBigUint64(0, BigInt(json.length), true)
    bytes.set(json, 8)
    expect(() => readSafetensors(bytes)).toThrow(SafetensorsFormatError)
    expect(() => readSafetensors(bytes)).toThrow('JSON nested more than 64 levels deep')
  })

  it('an SAE cfg.json, as text or as a parsed value in a field', () => {
    expect(() => parseSaeLensConfig(`{"d_in": ${nested(10_000)}}`)).toThrow(SaeFormatError)
    expect(() => parseSaeLensConfig({ architecture: 'standard', d_in: deepValue(10_000), d_sae: 4, metadata: {} })).toThrow(SaeFormatError)
  })

  it('a GPT-2 config.json field holding a deep value', () => {
    const config = { model_type: 'gpt2', vocab_size: 10, n_positions: 8, n_embd: 4, n_layer: deepValue(10_000), n_head: 2 }
    expect(() => parseGpt2Config(config)).toThrow(ModelConfigError)
    expect(() => parseGpt2Config(config)).toThrow(/n_layer: .*\(got \[\[\[…\]\]\]\)/)
  })
})
