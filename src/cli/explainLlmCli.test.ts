// monoscope explain --endpoint against the stand-in OpenAI-compatible server on 127.0.0.1: the chosen features get
// LLM explanations with simulation and detection scores, the cache answers a rerun, a feature that keeps failing
// keeps its offline explanation, a refused key fails the command with nothing written, and the key is never printed
// or stored.
import { cp, mkdtemp, readFile, readdir, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { gunzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { startStandInLlmServer, type StandInLlmServer } from '../core/autointerp/llm/testing/standInLlmServer.ts'
import { main } from './main.ts'

const ROOT = path.resolve(import.meta.dirname, '../..')
const ANALYSIS = path.join(ROOT, 'public/analysis/tinyworld/blocks.2.hook_resid_post/standard-1024')
const SAE = path.join(ROOT, 'public/saes/tinyworld/blocks.2.hook_resid_post/standard-1024')
const KEY = 'sk-test-5f3a9c2e-never-printed'

let dir: string
let server: StandInLlmServer

async function run(args: string[], env: Record<string, string | undefined>): Promise<{ code: number; out: string; err: string }> {
  let out = ''
  let err = ''
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true))
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true))
  const saved = { ...process.env }
  Object.assign(process.env, env)
  try {
    return { code: await main(args), out, err }
  } finally {
    process.env = saved
    o.mockRestore()
    e.mockRestore()
  }
}

async function shardFeatures(folder: string, shard: number): Promise<{ index: number; max_act: number; explanation: { text: string; method: string; score: number | null; detection?: number | null; explainer?: string } | null }[]> {
  return JSON.parse(gunzipSync(await readFile(path.join(folder, `features-${String(shard).padStart(4, '0')}.json.gz`))).toString()).features
}

async function folderText(folder: string): Promise<string> {
  let all = ''
  for (const name of await readdir(folder)) {
    const bytes = await readFile(path.join(folder, name))
    all += name.endsWith('.gz') ? gunzipSync(bytes).toString() : bytes.toString()
  }
  return all
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'monoscope-explain-llm-'))
  server = await startStandInLlmServer({ apiKey: KEY })
})
afterAll(async () => {
  await server.close()
  await rm(dir, { recursive: true, force: true })
})

describe('monoscope explain --endpoint', () => {
  it('explains and scores the chosen features through the endpoint, caches them, and never shows the key', async () => {
    const a = path.join(dir, 'a')
    await cp(ANALYSIS, a, { recursive: true })
    const cache = path.join(dir, 'cache.json')
    const args = ['explain', '--analysis', a, '--sae', SAE, '--endpoint', server.url, '--llm-model', 'stand-in', '--features', '440-447', '--cache', cache]
    server.failNext([429, 500]) // retried, then the run goes on
    const first = await run(args, { OPENAI_API_KEY: KEY })
    expect(first.code, first.err).toBe(0)
    const features = await shardFeatures(a, 6) // 384–447
    const chosen = features.filter((f) => f.index >= 440 && f.max_act > 0)
    expect(chosen.length).toBeGreaterThan(4)
    expect(first.err).toContain(`explained ${chosen.length}/${chosen.length} features`) // dead features are not sent
    for (const f of chosen) {
      expect(f.explanation).toMatchObject({ method: 'llm', explainer: 'stand-in', prompt_version: 'bills-2023/v1' })
      expect(f.explanation!.score).toBeGreaterThan(0.5) // the stand-in names the top token: it predicts well
      expect(f.explanation!.detection).toBeGreaterThanOrEqual(0)
      expect(f.explanation!.detection).toBeLessThanOrEqual(1)
    }
    // Detection is harder for a one-token explanation (a random context may hold the token without firing), but
    // above chance on average.
    expect(chosen.reduce((s, f) => s + f.explanation!.detection!, 0) / chosen.length).toBeGreaterThan(0.6)
    expect(features.filter((f) => f.index < 440 && f.explanation).every((f) => f.explanation!.method !== 'llm')).toBe(true)
    const summary = JSON.parse(await readFile(path.join(a, 'summary.json'), 'utf8'))
    expect(summary.features[chosen[0]!.index].explanation).toBe(chosen[0]!.explanation!.text)

    // The key: only in the Authorization header, never in output, files, URLs or the cache.
    const chats = server.requests.filter((r) => r.method === 'POST')
    expect(chats.length).toBe(3 * chosen.length + 2) // explain, simulate and detect per feature, and the two retried failures
    expect(chats.every((r) => r.headers.authorization === `Bearer ${KEY}` && !r.url.includes(KEY) && !r.body.includes(KEY))).toBe(true)
    for (const text of [first.out, first.err, await folderText(a), await readFile(cache, 'utf8')]) expect(text).not.toContain(KEY)

    // A rerun finds every explanation in the cache: no new chat request, the same files.
    const before = server.requests.length
    const again = await run(args, { OPENAI_API_KEY: KEY })
    expect(again.code).toBe(0)
    expect(server.requests.length).toBe(before)
    expect(await shardFeatures(a, 6)).toEqual(features)
  }, 120_000)

  it('keeps the offline explanation of a feature the endpoint keeps failing on, and names it', async () => {
    const b = path.join(dir, 'b')
    await cp(ANALYSIS, b, { recursive: true })
    const offline = await shardFeatures(b, 6)
    const victim = offline.find((f) => f.index === 444)!
    server.failWhen('Arc', 500) // records of the bridge feature mention "Arc"; every attempt fails
    const res = await run(['explain', '--analysis', b, '--sae', SAE, '--endpoint', server.url, '--llm-model', 'stand-in', '--features', '440-447'], { OPENAI_API_KEY: KEY })
    expect(res.code, res.err).toBe(0)
    expect(res.err).toMatch(/feature 444: .*500.* \[LLM_ENDPOINT\]/)
    const after = await shardFeatures(b, 6)
    expect(after.find((f) => f.index === 444)!.explanation).toEqual(victim.explanation)
    expect(after.filter((f) => f.explanation?.method === 'llm').length).toBeGreaterThan(2) // the others were explained
    expect(res.err).not.toContain(KEY)
  }, 120_000)

  it('fails with exit 2 and writes nothing when the endpoint refuses the key', async () => {
    const c = path.join(dir, 'c')
    await cp(ANALYSIS, c, { recursive: true })
    const before = await folderText(c)
    const res = await run(['explain', '--analysis', c, '--sae', SAE, '--endpoint', server.url, '--llm-model', 'stand-in', '--features', '10-12'], { OPENAI_API_KEY: 'sk-wrong-key-0000' })
    expect(res.code).toBe(2)
    expect(res.err).toMatch(/none of the \d+ features: .*\[LLM_ENDPOINT\]/)
    expect(res.err).not.toContain('sk-wrong-key-0000')
    expect(await folderText(c)).toBe(before)
    expect((await run(['explain', '--analysis', c, '--endpoint', server.url, '--llm-model', 'x'], {})).err).toMatch(/needs --sae DIR/)
    expect((await run(['explain', '--analysis', c, '--features', '1'], {})).err).toMatch(/give --endpoint/)
  }, 120_000)
})
