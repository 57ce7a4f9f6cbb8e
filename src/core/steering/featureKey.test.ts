// Feature keys: built and parsed here only; they round-trip, allow colons in SAE ids, and refuse anything else.
import { describe, expect, it } from 'vitest'
import { asFeatureIndex, featureId, featureKey, parseFeatureKey } from './featureKey.ts'

describe('feature keys', () => {
  it('round-trip', () => {
    const id = featureId('tinyworld/blocks.2.hook_resid_post/1024', 37)
    expect(featureKey(id)).toBe('tinyworld/blocks.2.hook_resid_post/1024:37')
    expect(parseFeatureKey(featureKey(id))).toEqual(id)
    expect(parseFeatureKey('hf:owner/saes@main/blocks.8.hook_resid_pre:0')).toEqual({ saeId: 'hf:owner/saes@main/blocks.8.hook_resid_pre', index: 0 })
  })

  it('refuse malformed keys and indices', () => {
    for (const bad of ['tinyworld', 'tinyworld:', ':3', 'tinyworld:-1', 'tinyworld:1.5', 'tinyworld:01', 'tiny world:3', 'tinyworld:3 ']) {
      expect(() => parseFeatureKey(bad), bad).toThrow(/feature key|SAE id/)
    }
    expect(() => asFeatureIndex(32, 32)).toThrow(/has 32 features/)
    expect(asFeatureIndex(31, 32)).toBe(31)
  })
})
