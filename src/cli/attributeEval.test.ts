// attribute-eval end to end on a few short TinyWorld prompts: the report is written and, as the paper found and the
// single-prompt CLI test shows, attribution agrees with ablation's top features far better than activation does.
// Also the prompts themselves: seeded, BOS first, and each target token really forced and carrying a word concept.
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it, vi } from 'vitest'
import { forcedConceptPrompts } from '../core/attribution/forcedPrompts.ts'
import { CONCEPTS, EOT_ID } from '../core/world/index.ts'
import { main } from './main.ts'

describe('forcedConceptPrompts', () => {
  it('is seeded, starts each prompt with BOS, and ends it before a forced word-concept token', () => {
    const a = forcedConceptPrompts(20, 3, { maxContext: 24 })
    expect(forcedConceptPrompts(20, 3, { maxContext: 24 })).toEqual(a)
    expect(forcedConceptPrompts(20, 4, { maxContext: 24 })).not.toEqual(a)
    for (const p of a) {
      expect(p.ids[0]).toBe(EOT_ID)
      expect(p.ids.length).toBeLessThanOrEqual(24)
      expect(p.concepts.length).toBeGreaterThan(0)
      for (const c of p.concepts) expect(CONCEPTS.find((d) => d.name === c)?.scope).toBe('word')
    }
  })
})

describe('monoscope attribute-eval', () => {
  it('writes the report; attribution overlaps ablation more than activation does', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'monoscope-attr-eval-'))
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true)
    try {
      const code = await main(['attribute-eval', '--prompts', '4', '--max-context', '12', '--saes', 'public/saes/tinyworld/blocks.2.hook_resid_post/standard-1024', '--out', dir])
      expect(code).toBe(0)
      const report = JSON.parse(await readFile(path.join(dir, 'attribution_report.json'), 'utf8')) as { saes: { prompts: number; overlapAttribution: number; overlapActivation: number }[] }
      expect(report.saes).toHaveLength(1)
      const row = report.saes[0]!
      expect(row.prompts).toBe(4)
      expect(row.overlapAttribution).toBeGreaterThan(row.overlapActivation + 0.2)
      expect(await readFile(path.join(dir, 'attribution_report.md'), 'utf8')).toContain('| standard-1024 | 4 |')
    } finally {
      out.mockRestore()
      await rm(dir, { recursive: true, force: true })
    }
  }, 180_000)
})
