// probe-sweep in a child process on a small labelled sample of the embedded TinyWorld model: one row of ceilings per
// hook asked for, the Markdown's counts are the JSON's, and an unknown hook is refused with its name.
import { execFile } from 'node:child_process'
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ProbeCeiling } from '../core/sae/conceptProbes.ts'
import { repoRoot } from './defaults.ts'

const exec = promisify(execFile)
const cli = (args: string[]) => exec(process.execPath, [path.join(repoRoot, 'bin/monoscope.mjs'), ...args], { cwd: repoRoot, maxBuffer: 64 << 20 })
let out = ''

beforeAll(async () => {
  out = await mkdtemp(path.join(os.tmpdir(), 'monoscope-probe-sweep-'))
  await cp(path.join(repoRoot, 'public/saes/tinyworld/blocks.2.hook_resid_post/standard-1024'), path.join(out, 'standard-1024'), { recursive: true })
})

afterAll(async () => {
  await rm(out, { recursive: true, force: true })
})

describe('monoscope probe-sweep', () => {
  it('fits the ceilings at each hook asked for and reports their counts', async () => {
    await cli(['probe-sweep', '--hooks', 'blocks.0.hook_resid_pre,blocks.1.hook_resid_post', '--tokens', '3000', '--out', out])
    const report = JSON.parse(await readFile(path.join(out, 'probe_sweep.json'), 'utf8')) as { hooks: { hook: string; ceilings: ProbeCeiling[] }[] }
    expect(report.hooks.map((h) => h.hook)).toEqual(['blocks.0.hook_resid_pre', 'blocks.1.hook_resid_post'])
    for (const h of report.hooks) {
      expect(h.ceilings).toHaveLength(55) // every concept but the three languages
      for (const c of h.ceilings) expect(c.represented).toBe(c.transferMin !== null && c.transferMin >= 0.95)
    }
    const md = await readFile(path.join(out, 'probe_sweep.md'), 'utf8')
    const represented = (i: number) => report.hooks[i]!.ceilings.filter((c) => c.represented).length
    const row = md.split('\n').find((l) => l.startsWith('| `blocks.1.hook_resid_post` |'))!
    const [, , word, span] = row.split('|').map((s) => s.trim())
    expect(Number(word) + Number(span)).toBe(represented(1))
  })

  it('refuses an unknown hook', async () => {
    const err = (await cli(['probe-sweep', '--hooks', 'blocks.9.hook_resid_post', '--out', out]).then(() => null, (e: { code: number; stderr: string }) => e))!
    expect(err.code).toBe(2)
    expect(err.stderr).toMatch(/blocks\.9\.hook_resid_post/)
  })
})
