// `monoscope generate --sae …` end to end on the committed TinyWorld model and the first SAE of its index, in a
// child process as a user runs it: flags and share links give the same tokens, no-op steering changes nothing,
// and bad flags fail with exit code 2 and a message naming the problem.
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { parseSteerFlag } from './commands/steerFlags.ts'
import { shareTextOf } from './commands/steerGenerate.ts'
import { localSpecFor, shareSpecFor } from './commands/steerShareSpec.ts'
import { repoRoot } from './defaults.ts'

const exec = promisify(execFile)
const bin = path.join(repoRoot, 'bin/monoscope.mjs')
const cli = (args: string[]) => exec(process.execPath, [bin, ...args], { cwd: repoRoot, maxBuffer: 64 << 20 })

const index = JSON.parse(readFileSync(path.join(repoRoot, 'public/saes/tinyworld/index.json'), 'utf8')) as { saes: { id: string; path: string }[] }
const saeEntry = index.saes[0]!
const saeDir = path.join(repoRoot, 'public', saeEntry.path)

interface SteerJson {
  prompt_tokens: number[]
  default?: { tokens: number[]; text: string }
  steered: { tokens: number[]; text: string }
  divergence: number | null
  interventions: { index: number; mode: string; strength: { kind: string; multiple?: number; maxAct?: number; value?: number } }[]
  max_acts_source: string | null
  share: string | null
}
const run = async (args: string[]) => JSON.parse((await cli(['generate', ...args, '--json'])).stdout) as SteerJson

describe('steering flags', () => {
  it('parses absolute strengths and multiples of max', () => {
    expect(parseSteerFlag('clamp', '37=5x')).toEqual({ index: 37, mode: 'clamp', strength: { kind: 'maxMultiple', multiple: 5 } })
    expect(parseSteerFlag('clamp', '12=-2')).toEqual({ index: 12, mode: 'clamp', strength: { kind: 'absolute', value: -2 } })
    expect(parseSteerFlag('add', '90=-2.5X')).toEqual({ index: 90, mode: 'add', strength: { kind: 'maxMultiple', multiple: -2.5 } })
    for (const bad of ['37', '=5', 'a=5', '37=five', '37=5xx', '-1=3']) expect(() => parseSteerFlag('clamp', bad)).toThrow(/FEATURE=STRENGTH/)
  })

  it('maps app-relative sources to public/ and back, and reads links or bare states', () => {
    expect(shareSpecFor(saeDir)).toBe(saeEntry.path)
    expect(shareSpecFor('/tmp/elsewhere')).toBeNull()
    expect(shareSpecFor('hf:owner/name')).toBe('hf:owner/name')
    expect(localSpecFor(saeEntry.path)).toBe(saeDir)
    expect(shareTextOf('http://127.0.0.1:4173/?backend=wasm&steer=v1.abc#/steer')).toBe('v1.abc')
    expect(shareTextOf(' v1.abc ')).toBe('v1.abc')
  })
})

describe('monoscope generate --sae', () => {
  it('runs default and steered side by side; the share state reproduces both; --steered-only agrees', async () => {
    const base = ['--sae', saeDir, '--prompt', 'Some sums:', '--max-tokens', '12', '--temperature', '0', '--seed', '3']
    const out = await run([...base, '--clamp', '90=10x', '--add', '5=0.5'])
    expect(out.prompt_tokens[0]).toBe(0) // TinyWorld's BOS: the SAE was trained on BOS-prefixed windows
    expect(out.default!.tokens.length).toBeGreaterThan(0)
    expect(out.steered.tokens).not.toEqual(out.default!.tokens)
    expect(out.divergence).not.toBeNull()
    expect(out.max_acts_source).toMatch(/^(analysis:analysis\/|measured:tinyworld:labelled:seed=424242)/)
    const clamp = out.interventions.find((i) => i.mode === 'clamp')!
    expect(clamp.strength).toMatchObject({ kind: 'maxMultiple', multiple: 10 })
    expect(clamp.strength.maxAct).toBeGreaterThan(0)
    expect(out.share).toMatch(/^v1\./)

    const again = await run(['--share', `http://127.0.0.1:4173/?steer=${out.share!}`])
    expect(again.default!.tokens).toEqual(out.default!.tokens)
    expect(again.steered.tokens).toEqual(out.steered.tokens)
    expect(again.share).toBe(out.share)
    const only = await run(['--share', out.share!, '--steered-only'])
    expect(only.default).toBeUndefined()
    expect(only.steered.tokens).toEqual(out.steered.tokens)
  }, 120_000)

  it('leaves the generation alone when adding 0', async () => {
    const out = await run(['--sae', saeDir, '--prompt', 'About Lindon:', '--max-tokens', '10', '--temperature', '0', '--add', '7=0'])
    expect(out.steered.tokens).toEqual(out.default!.tokens)
    expect(out.divergence).toBeNull()
  }, 60_000)

  it('fails with exit code 2 and a clear message on bad input', async () => {
    const base = ['generate', '--sae', saeDir, '--prompt', 'Hi', '--max-tokens', '2']
    await expect(cli([...base, '--clamp', '37=lots'])).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(/FEATURE=STRENGTH/) })
    await expect(cli([...base, '--clamp', '99999=2'])).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(/does not exist/) })
    await expect(cli([...base, '--clamp', '3=2', '--clamp', '3=4'])).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(/twice/) })
    await expect(cli([...base, '--clamp', '3=2', '--steer-positions', 'middle'])).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(/prompt, generated or both/) })
    await expect(cli(['generate', '--share', 'v1.!!!'])).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(/SHARE_STATE/) })
    await expect(cli(['generate', '--share', 'v1.abc', '--prompt', 'x'])).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(/whole demo/) })
  }, 60_000)
})
