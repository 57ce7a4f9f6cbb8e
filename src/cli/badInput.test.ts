// Bad input on the command line exits 2 with one line naming the problem, never 1 with a stack trace: missing
// files, unwritable outputs, a share link nesting JSON a thousand deep, a file that is not JSON. Each case here
// printed a stack trace and exited 1 before the fix (issue 14).
import { execFile } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { deflateRaw, toBase64Url } from '../core/steering/compress.ts'
import { repoRoot } from './defaults.ts'

const exec = promisify(execFile)
const bin = path.join(repoRoot, 'bin/monoscope.mjs')

/** Runs the CLI as a user would; resolves with the exit code and stderr whatever the outcome. */
async function cli(args: string[]): Promise<{ code: number; stderr: string }> {
  try {
    const { stderr } = await exec(process.execPath, [bin, ...args], { cwd: repoRoot, maxBuffer: 16 << 20 })
    return { code: 0, stderr }
  } catch (err) {
    const { code, stderr } = err as { code: number; stderr: string }
    return { code, stderr }
  }
}

let dir = ''
const sae = 'public/saes/tinyworld/blocks.2.hook_resid_post/standard-1024'

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'monoscope-bad-input-'))
  await writeFile(path.join(dir, 'not-json.json'), '{"format": "monoscope.feature-analysis", ')
  await writeFile(path.join(dir, 'deep.json'), `${'['.repeat(100_000)}${']'.repeat(100_000)}`)
})

afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

function expectCleanRefusal(result: { code: number; stderr: string }, message: RegExp): void {
  expect(result.stderr).toMatch(message)
  expect(result.stderr).not.toMatch(/\n\s+at /) // no stack frames
  expect(result.stderr.trim().split('\n')).toHaveLength(1)
  expect(result.code).toBe(2)
}

// Each case starts the CLI (tsx, tfjs) once or twice: slow on a loaded machine, so a longer budget than the default.
describe('the CLI refuses bad input with exit code 2 and one line', { timeout: 300_000 }, () => {
  it('a missing --max-acts file', async () => {
    const result = await cli(['generate', '--prompt', 'the cat', '--sae', sae, '--clamp', '3=2x', '--max-acts', path.join(dir, 'missing.json'), '--max-tokens', '2'])
    expectCleanRefusal(result, /cannot open .*missing\.json: no such file or directory \[ENOENT\]/)
  })

  it('a --max-acts file that is not JSON, or nests too deep', async () => {
    expectCleanRefusal(await cli(['generate', '--prompt', 'the cat', '--sae', sae, '--clamp', '3=2x', '--max-acts', path.join(dir, 'not-json.json')]), /not-json\.json is not valid JSON/)
    expectCleanRefusal(await cli(['generate', '--prompt', 'the cat', '--sae', sae, '--clamp', '3=2x', '--max-acts', path.join(dir, 'deep.json')]), /deep\.json is JSON nested more than 64 levels deep/)
  })

  it('a missing analyze --text-file', async () => {
    expectCleanRefusal(await cli(['analyze', '--sae', sae, '--text-file', path.join(dir, 'missing.txt'), '--out', path.join(dir, 'analysis.json')]), /cannot open .*missing\.txt: no such file or directory/)
  })

  it('a missing train-sae --activations file', async () => {
    const result = await cli(['train-sae', '--hook', 'blocks.2.hook_resid_post', '--activations', path.join(dir, 'missing.safetensors'), '--out', path.join(dir, 'out')])
    expectCleanRefusal(result, /cannot open .*missing\.safetensors: no such file or directory/)
  })

  it('a world-sample --out in a folder that does not exist', async () => {
    expectCleanRefusal(await cli(['world-sample', '--seed', '1', '--tokens', '10', '--out', path.join(dir, 'no/such/folder/out.jsonl')]), /cannot open .*out\.jsonl: no such file or directory/)
  })

  it('a share link whose JSON nests a thousand deep (67 characters once gave a stack trace)', async () => {
    const link = `v1.${toBase64Url(await deflateRaw(new TextEncoder().encode('['.repeat(1000))))}`
    expect(link.length).toBeLessThan(80)
    expectCleanRefusal(await cli(['generate', '--share', link]), /steering state is damaged \((not valid JSON|JSON nested more than 64 levels deep)/)
    const closed = `v1.${toBase64Url(await deflateRaw(new TextEncoder().encode(`${'['.repeat(5000)}${']'.repeat(5000)}`)))}`
    expectCleanRefusal(await cli(['generate', '--share', closed]), /steering state is damaged \(JSON nested more than 64 levels deep\)/)
  })
})
