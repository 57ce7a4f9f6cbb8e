// monoscope explain on a copy of the committed standard-1024 analysis: every live feature explained and scored,
// the same bytes on a second run, user and LLM explanations kept, the report written; bad folders exit 2.
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { gunzipSync, gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { main } from './main.ts'

const committed = path.resolve(import.meta.dirname, '../../public/analysis/tinyworld/blocks.2.hook_resid_post/standard-1024')
let dir: string

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = ''
  let err = ''
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true))
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true))
  try {
    return { code: await main(args), out, err }
  } finally {
    o.mockRestore()
    e.mockRestore()
  }
}

interface Row { index: number; density: number; explanation: string | null; explanation_score?: number | null }

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'monoscope-explain-'))
  await cp(committed, path.join(dir, 'a'), { recursive: true })
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('monoscope explain', () => {
  it('explains and scores every live feature, deterministically, keeping user explanations', async () => {
    const a = path.join(dir, 'a')
    // A user's explanation of feature 5 (shard 0) must survive; scrub feature 444's to see it written again.
    const shard0 = path.join(a, 'features-0000.json.gz')
    const shard = JSON.parse(gunzipSync(await readFile(shard0)).toString())
    shard.features[5].explanation = { text: 'my own words', method: 'user', score: null }
    await writeFile(shard0, gzipSync(JSON.stringify(shard)))
    const report = path.join(dir, 'report.json')
    const first = await run(['explain', '--analysis', a, '--report', report])
    expect(first.code).toBe(0)
    expect(first.out).toMatch(/explained \d+ of 1024 features/)
    const summary = JSON.parse(await readFile(path.join(a, 'summary.json'), 'utf8')) as { features: Row[] }
    const live = summary.features.filter((r) => r.density > 0)
    expect(live.length).toBeGreaterThan(900)
    for (const r of live) {
      expect(r.explanation, `feature ${r.index}`).toBeTruthy()
      if (r.index !== 5) expect(r.explanation).toMatch(/«/)
    }
    expect(summary.features[5]!.explanation).toBe('my own words')
    expect(summary.features.filter((r) => r.density === 0).every((r) => r.explanation === null)).toBe(true)
    const scores = live.flatMap((r) => (r.explanation_score == null ? [] : [r.explanation_score]))
    expect(scores.length).toBeGreaterThan(900)
    expect(scores.every((s) => s >= -1 && s <= 1)).toBe(true)
    const rep = JSON.parse(await readFile(report, 'utf8'))
    expect(rep).toMatchObject({ format: 'monoscope.explanation-report', saes: [{ sae: 'tinyworld/blocks.2.hook_resid_post/standard-1024', features: 1024 }] })
    expect(rep.saes[0].byConcept.matched.n).toBeGreaterThan(5)
    expect(await readFile(report.replace(/\.json$/, '.md'), 'utf8')).toMatch(/\| standard-1024 \| \d+ of 1024 \|/)

    const before = await readFile(path.join(a, 'features-0006.json.gz'))
    expect((await run(['explain', '--analysis', a])).code).toBe(0)
    expect(Buffer.compare(before, await readFile(path.join(a, 'features-0006.json.gz')))).toBe(0)
    const bridge = JSON.parse(gunzipSync(before).toString()).features.find((f: { index: number }) => f.index === 444)
    expect(bridge.explanation).toMatchObject({ method: 'concept', explainer: 'monoscope-offline', prompt_version: 'tokens/1' })
    expect(bridge.explanation.text).toMatch(/^concept "arc_bridge": .*«Bridge»/)
  }, 120_000)

  it('refuses a folder without an analysis and a damaged shard with exit 2 and one line', async () => {
    const none = await run(['explain', '--analysis', dir])
    expect(none.code).toBe(2)
    expect(none.err).toMatch(/holds no summary\.json/)
    const b = path.join(dir, 'b')
    await cp(committed, b, { recursive: true })
    await writeFile(path.join(b, 'features-0003.json.gz'), Buffer.from('not gzip'))
    const damaged = await run(['explain', '--analysis', b])
    expect(damaged.code).toBe(2)
    expect(damaged.err.trim().split('\n')).toHaveLength(1)
    expect((await run(['explain'])).code).toBe(2)
  }, 120_000)
})
