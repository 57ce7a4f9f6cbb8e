// monoscope contrast end to end on the committed TinyWorld SAE (standard-1024 at blocks.2.hook_resid_post), judged by
// its precomputed analysis (each feature's best-matching concept in summary.json): "bridge" windows against matched
// windows without it rank first features whose concept is bridge or arc_bridge — 57 of the 1024 are, so chance
// would put ~0.3 of them in a top 6 — and "cat" windows (the negative control) rank none of them near the top.
import { readFile } from 'node:fs/promises'
import { describe, expect, it, vi } from 'vitest'
import { conceptPromptSets } from '../core/attribution/conceptPrompts.ts'
import { CONCEPTS, EOT_ID } from '../core/world/index.ts'
import { main } from './main.ts'

const SAE = 'public/saes/tinyworld/blocks.2.hook_resid_post/standard-1024'
const SUMMARY = 'public/analysis/tinyworld/blocks.2.hook_resid_post/standard-1024/summary.json'

interface ContrastJson {
  with: { prompts: number; tokens: number }
  without: { prompts: number; tokens: number }
  features: { feature: number; difference: number; mean_with: number; mean_without: number; attribution_difference: number | null }[]
  by_attribution: number[] | null
}

async function runJson(argv: string[]): Promise<ContrastJson> {
  let stdout = ''
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += typeof chunk === 'string' ? chunk : new TextDecoder().decode(chunk)
    return true
  })
  try {
    expect(await main(['contrast', '--sae', SAE, '--json', ...argv])).toBe(0)
  } finally {
    out.mockRestore()
  }
  return JSON.parse(stdout) as ContrastJson
}

async function conceptOfFeature(): Promise<(i: number) => string> {
  const summary = JSON.parse(await readFile(SUMMARY, 'utf8')) as { features: { index: number; concept: { name: string } | null }[] }
  return (i) => summary.features[i]!.concept?.name ?? '—'
}

const BRIDGE = new Set(['bridge', 'arc_bridge'])

describe('conceptPromptSets', () => {
  it('is seeded, gives windows of the asked length after BOS, and refuses an unknown concept', () => {
    const a = conceptPromptSets('bridge', 6, 3, { windowTokens: 16 })
    expect(conceptPromptSets('bridge', 6, 3, { windowTokens: 16 })).toEqual(a)
    expect(conceptPromptSets('bridge', 6, 4, { windowTokens: 16 })).not.toEqual(a)
    expect(a.with).toHaveLength(6)
    expect(a.without).toHaveLength(6)
    for (const p of [...a.with, ...a.without]) {
      expect(p[0]).toBe(EOT_ID)
      expect(p).toHaveLength(17)
    }
    expect(CONCEPTS.some((c) => c.name === 'bridge')).toBe(true)
    expect(() => conceptPromptSets('no_such_concept', 1, 1)).toThrow(/Unknown TinyWorld concept/)
  })
})

describe('monoscope contrast on TinyWorld', () => {
  it('ranks bridge features first for --concept bridge, and none of them for --concept cat', async () => {
    const concept = await conceptOfFeature()
    // Measured (seed 1, 32 prompts of 32 tokens): top 6 by activation 123, 444, 828, 532, 126, 317 — all arc_bridge
    // but 828 (mountain); top by attribution to " Bridge": 444 (arc_bridge).
    const bridge = await runJson(['--concept', 'bridge', '--prompts', '32', '--seed', '1', '--target', ' Bridge'])
    expect(bridge.with).toEqual({ prompts: 32, tokens: 32 * 32 })
    const top = bridge.features.slice(0, 6).map((f) => concept(f.feature))
    expect(BRIDGE.has(top[0]!)).toBe(true)
    expect(top.filter((c) => BRIDGE.has(c)).length).toBeGreaterThanOrEqual(4)
    expect(bridge.features[0]!.difference).toBeCloseTo(bridge.features[0]!.mean_with - bridge.features[0]!.mean_without, 6)
    expect(BRIDGE.has(concept(bridge.by_attribution![0]!))).toBe(true)

    // Measured: top 6 for "cat" are green, cat, list_item, list_item, deception, cat.
    const cat = await runJson(['--concept', 'cat', '--prompts', '32', '--seed', '1'])
    const catTop = cat.features.slice(0, 6).map((f) => concept(f.feature))
    expect(catTop.filter((c) => BRIDGE.has(c))).toEqual([])
    expect(catTop).toContain('cat')
    expect(cat.by_attribution).toBeNull()
  }, 180_000)

  it('reads typed prompts: one per --with-text part, BOS prepended and left out of the token count', async () => {
    const r = await runJson(['--with-text', 'The Golden Arc Bridge is old .|We walk to the Golden Arc Bridge .', '--without-text', 'The cat sleeps .'])
    expect(r.with.prompts).toBe(2)
    expect(r.without.prompts).toBe(1)
    expect(r.without.tokens).toBe(4) // " The", " cat", " sleeps", " ." after <|endoftext|>
    expect(r.features).toHaveLength(1024)
  }, 60_000)
})
