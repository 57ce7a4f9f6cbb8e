// `monoscope world-sample`: JSON Lines, reproducible from the seed, with and without labels.
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { InvalidArgumentError } from '../../core/errors.ts'
import { buildTokenizerJson } from '../../core/world/index.ts'
import { loadTokenizer } from '../../core/tokenizer/tokenizer.ts'
import { worldSampleCommand } from './worldSample.ts'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'world-sample-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

const lines = async (file: string) => (await readFile(file, 'utf8')).trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>)

describe('worldSampleCommand', () => {
  it('writes the same labelled documents for the same seed, and enough of them', async () => {
    const a = join(dir, 'a.jsonl')
    const b = join(dir, 'b.jsonl')
    await worldSampleCommand({ seed: 7, tokens: 3000, labels: true, out: a })
    await worldSampleCommand({ seed: 7, tokens: 3000, labels: true, out: b })
    expect(await readFile(b, 'utf8')).toBe(await readFile(a, 'utf8'))
    const records = await lines(a)
    const ids = records.map((r) => r.ids as number[])
    expect(ids.reduce((n, x) => n + x.length, 0)).toBeGreaterThanOrEqual(3000)
    const tokenizer = loadTokenizer(buildTokenizerJson())
    for (const r of records) {
      expect(Object.keys(r)).toEqual(['text', 'ids', 'concepts', 'forced', 'language', 'doc_type'])
      expect((r.concepts as number[][]).length).toBe((r.ids as number[]).length)
      expect((r.forced as boolean[]).length).toBe((r.ids as number[]).length)
      expect(tokenizer.encode(r.text as string)).toEqual(r.ids)
    }
  })

  it('writes the same documents without labels, and others for another seed', async () => {
    const labelled = join(dir, 'l.jsonl')
    const plain = join(dir, 'p.jsonl')
    const other = join(dir, 'o.jsonl')
    await worldSampleCommand({ seed: 11, tokens: 1000, labels: true, out: labelled })
    await worldSampleCommand({ seed: 11, tokens: 1000, labels: false, out: plain })
    await worldSampleCommand({ seed: 12, tokens: 1000, labels: false, out: other })
    const plainRecords = await lines(plain)
    expect(Object.keys(plainRecords[0]!)).toEqual(['text', 'ids'])
    expect(plainRecords.map((r) => r.ids)).toEqual((await lines(labelled)).map((r) => r.ids))
    expect((await lines(other)).map((r) => r.text)).not.toEqual(plainRecords.map((r) => r.text))
  })

  it('refuses a token count below one', async () => {
    await expect(worldSampleCommand({ seed: 1, tokens: 0, labels: false })).rejects.toThrow(InvalidArgumentError)
  })
})
