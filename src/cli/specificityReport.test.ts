// specificity-report on the committed analysis: one row per concept that is some feature's best match, the bridge
// feature of standard-1024 (#444, arc_bridge) all bridge from half its max up as the dashboard shows, every share
// within its token count; the Markdown table lists every SAE of the index.
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it, vi } from 'vitest'
import { repoRoot } from './defaults.ts'
import { main } from './main.ts'

interface Report {
  saes: { sae: string; rows: { concept: string; feature: number; auroc: number; high: { tokens: number; present: number }; all: { tokens: number; present: number } }[] }[]
}

describe('monoscope specificity-report', () => {
  it('summarises each concept\'s best feature from the committed analysis', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'monoscope-specificity-'))
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true)
    try {
      expect(await main(['specificity-report', '--out', dir])).toBe(0)
      const report = JSON.parse(await readFile(path.join(dir, 'specificity_report.json'), 'utf8')) as Report
      // Every SAE of the index that has precomputed pages, in the index's order.
      const index = JSON.parse(await readFile(path.join(repoRoot, 'public/saes/tinyworld/index.json'), 'utf8')) as { saes: { id: string; analysis: string | null }[] }
      const analysed = index.saes.filter((s) => s.analysis !== null).map((s) => s.id.split('/').at(-1))
      expect(analysed).toContain('matryoshka-1024')
      expect(report.saes.map((s) => s.sae)).toEqual(analysed)
      for (const { rows } of report.saes) {
        expect(rows.length).toBeGreaterThan(40)
        for (const r of rows) {
          expect(r.high.present).toBeLessThanOrEqual(r.high.tokens)
          expect(r.all.present).toBeLessThanOrEqual(r.all.tokens)
          expect(r.high.tokens).toBeLessThanOrEqual(r.all.tokens)
        }
      }
      const bridge = report.saes[0]!.rows.find((r) => r.concept === 'arc_bridge')!
      expect(bridge).toMatchObject({ feature: 444, high: { tokens: 76, present: 76 }, all: { tokens: 728, present: 328 } })
      expect(await readFile(path.join(dir, 'specificity_report.md'), 'utf8')).toContain('| arc_bridge | 444 |')
    } finally {
      out.mockRestore()
      await rm(dir, { recursive: true, force: true })
    }
  }, 120_000)
})
