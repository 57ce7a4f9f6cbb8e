// The CLI end to end: `monoscope run` and `generate` on a tiny model folder written by the test, in a child
// process exactly as a user would run them.
import { execFile } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { writeSafetensors } from '../core/formats/safetensors.ts'
import { gpt2ConfigToJson } from '../core/model/config.ts'
import { makeTinyGpt2 } from '../core/testing/tinyModel.ts'
import { buildTokenizerJson } from '../core/world/tokenizerJson.ts'
import { repoRoot } from './defaults.ts'

const exec = promisify(execFile)
const bin = path.join(repoRoot, 'bin/monoscope.mjs')
const cli = (args: string[]) => exec(process.execPath, [bin, ...args], { cwd: repoRoot, maxBuffer: 64 << 20 })

let dir = ''
const vocab = 986 // TinyWorld's tokenizer, so --text works

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'monoscope-cli-'))
  const { config, tensors } = makeTinyGpt2({ seed: 2, nLayers: 2, dModel: 16, nHeads: 2, vocab, nCtx: 32, naming: 'transformer-prefix' })
  const plain = Object.fromEntries([...tensors].map(([k, e]) => [k, { shape: e.shape, data: e.data }]))
  await writeFile(path.join(dir, 'model.safetensors'), writeSafetensors(plain))
  await writeFile(path.join(dir, 'config.json'), JSON.stringify(gpt2ConfigToJson(config, { tiedLmHead: true })))
  await writeFile(path.join(dir, 'tokenizer.json'), JSON.stringify(buildTokenizerJson()))
})

afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('monoscope run', () => {
  it('prints tokens, last-position logits and whole-sequence hook values as JSON', async () => {
    const { stdout } = await cli(['run', '--model', dir, '--ids', '5,17,42', '--hooks', 'blocks.1.hook_resid_post,blocks.0.attn.hook_pattern', '--json'])
    const out = JSON.parse(stdout) as { tokens: number[]; logits: number[][]; hooks: Record<string, number[][] | number[][][]> }
    expect(out.tokens).toEqual([5, 17, 42])
    expect(out.logits).toHaveLength(1)
    expect(out.logits[0]).toHaveLength(vocab)
    expect(out.hooks['blocks.1.hook_resid_post']).toHaveLength(3)
    expect((out.hooks['blocks.1.hook_resid_post'] as number[][])[0]).toHaveLength(16)
    expect(out.hooks['blocks.0.attn.hook_pattern']).toHaveLength(2) // [head][query][key]

    const all = JSON.parse((await cli(['run', '--model', dir, '--ids', '5,17,42', '--all-positions', '--json'])).stdout) as { logits: number[][] }
    expect(all.logits).toHaveLength(3)
    // the last row of --all-positions is the default output's only row
    all.logits[2]!.forEach((v, i) => expect(v).toBeCloseTo(out.logits[0]![i]!, 4))
  })

  it('tokenizes --text with the model folder tokenizer', async () => {
    const out = JSON.parse((await cli(['run', '--model', dir, '--text', 'the cat', '--json'])).stdout) as { tokens: number[] }
    expect(out.tokens.length).toBeGreaterThan(0)
  })

  it('fails with a clear message and exit code 2 on bad input', async () => {
    await expect(cli(['run', '--model', dir, '--ids', '5,99999', '--json'])).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(/outside the vocabulary/) })
    await expect(cli(['run', '--model', dir, '--ids', '1', '--hooks', 'blocks.9.hook_resid_post', '--json'])).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(/layer 9/) })
    await expect(cli(['run', '--model', path.join(dir, 'nope'), '--ids', '1', '--json'])).rejects.toMatchObject({ code: 2 })
  })
})

describe('monoscope generate', () => {
  it('gives the same tokens for the same seed and different ones for another seed', async () => {
    const args = ['generate', '--model', dir, '--prompt', 'the cat', '--max-tokens', '12', '--temperature', '1', '--json']
    const a = JSON.parse((await cli([...args, '--seed', '1'])).stdout) as { tokens: number[]; text: string }
    const b = JSON.parse((await cli([...args, '--seed', '1'])).stdout) as { tokens: number[] }
    const c = JSON.parse((await cli([...args, '--seed', '2'])).stdout) as { tokens: number[] }
    expect(a.tokens.length).toBeGreaterThan(0)
    expect(b.tokens).toEqual(a.tokens)
    expect(c.tokens).not.toEqual(a.tokens)
    expect(typeof a.text).toBe('string')
  })
})
