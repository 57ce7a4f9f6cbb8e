import { describe, expect, it } from 'vitest'
import { HookNameError } from '../errors.ts'
import { allHookNames, hookLayer, hookName, parseHookName } from './hookNames.ts'

describe('hook names', () => {
  it('builds TransformerLens names', () => {
    expect(hookName.residPost(3)).toBe('blocks.3.hook_resid_post')
    expect(hookName.attnPattern(0)).toBe('blocks.0.attn.hook_pattern')
    expect(hookName.mlpPost(11)).toBe('blocks.11.mlp.hook_post')
    expect(hookName.lnFinalNormalized()).toBe('ln_final.hook_normalized')
  })

  it('lists every hook of a model in execution order', () => {
    const names = allHookNames(2)
    expect(names).toHaveLength(2 + 2 * 7 + 1)
    expect(names[0]).toBe('hook_embed')
    expect(names.indexOf('blocks.0.hook_resid_pre')).toBeLessThan(names.indexOf('blocks.0.hook_resid_mid'))
    expect(names.indexOf('blocks.0.hook_resid_post')).toBeLessThan(names.indexOf('blocks.1.hook_resid_pre'))
    expect(names.at(-1)).toBe('ln_final.hook_normalized')
  })

  it('parses valid names and rejects bad ones with clear errors', () => {
    expect(parseHookName(' blocks.1.hook_mlp_out ', 2)).toBe('blocks.1.hook_mlp_out')
    expect(() => parseHookName('blocks.2.hook_resid_post', 2)).toThrow(/layer 2.*2 layers/)
    expect(() => parseHookName('blocks.0.hook_nope', 2)).toThrow(HookNameError)
    expect(() => parseHookName('resid', 2)).toThrow(/Unknown hook/)
    expect(() => hookName.residPost(-1)).toThrow(HookNameError)
  })

  it('finds the layer of a hook', () => {
    expect(hookLayer('blocks.7.hook_resid_pre')).toBe(7)
    expect(hookLayer('hook_embed')).toBeNull()
  })
})
