// The SAE index parser: the committed index parses, and bad indexes fail naming the field.
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { AnalysisFormatError } from './format.ts'
import { parseSaeIndex, saesBySize } from './saeIndex.ts'

const committed = JSON.parse(readFileSync(new URL('../../../public/saes/tinyworld/index.json', import.meta.url), 'utf8')) as Record<string, unknown>

const entry = (id: string, d: number) => ({ id, path: `saes/x/${d}`, architecture: 'standard', d_sae: d, hook_name: 'blocks.2.hook_resid_post', analysis: `analysis/x/${d}` })

describe('parseSaeIndex', () => {
  it('reads the committed TinyWorld index', () => {
    const index = parseSaeIndex(committed)
    expect(index.saes.length).toBeGreaterThan(0)
    for (const s of index.saes) {
      expect(s.hook_name).toBe('blocks.2.hook_resid_post')
      expect(s.path.startsWith('saes/tinyworld/')).toBe(true)
    }
  })

  it('orders SAEs of a hook by size', () => {
    const index = parseSaeIndex({ format: 'monoscope.sae-index', version: 1, model: 'models/x', saes: [entry('b', 4096), entry('a', 1024), { ...entry('c', 2048), hook_name: 'blocks.1.hook_resid_post' }], map: null })
    expect(saesBySize(index, 'blocks.2.hook_resid_post').map((s) => s.id)).toEqual(['a', 'b'])
    expect(saesBySize(index).map((s) => s.d_sae)).toEqual([1024, 2048, 4096])
  })

  it.each([
    [{ ...committed, format: 'other' }, /Not an SAE index/],
    [{ ...committed, version: 2 }, /version 2/],
    [{ ...committed, saes: [] }, /saes/],
    [{ ...committed, saes: [entry('a', 1), entry('a', 2)] }, /saes\[1\]\.id: "a" is listed twice/],
    [{ ...committed, saes: [{ ...entry('a', 1), path: '../etc' }] }, /saes\[0\]\.path/],
    [{ ...committed, saes: [{ ...entry('a', 1), path: 'https://evil.example/sae' }] }, /saes\[0\]\.path/],
    [{ ...committed, saes: [{ ...entry('a', 1), d_sae: 0 }] }, /saes\[0\]\.d_sae/],
    [{ ...committed, extra: 1 }, /extra|Unrecognized/],
    [[], /JSON object/],
  ])('rejects a bad index (%#)', (json, message) => {
    expect(() => parseSaeIndex(json)).toThrow(AnalysisFormatError)
    expect(() => parseSaeIndex(json)).toThrow(message)
  })
})
