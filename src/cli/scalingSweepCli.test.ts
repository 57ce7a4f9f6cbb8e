// scaling-sweep end to end in a child process on a small synthetic activation cache: the grid and the end runs'
// learning rates are trained and saved, a re-run trains nothing, --report-only redraws, and bad input says why.
import * as tf from '@tensorflow/tfjs'
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { activationCacheToBytes } from '../core/sae/activationCache.ts'
import { parseScalingSweepFile } from '../core/sae/scaling/scalingFile.ts'
import { randomDictionary, sparseBatches } from '../core/sae/testing/synthetic.ts'
import { repoRoot } from './defaults.ts'

const exec = promisify(execFile)
const bin = path.join(repoRoot, 'bin/monoscope.mjs')
const cli = (args: string[]) => exec(process.execPath, [bin, ...args], { cwd: repoRoot, maxBuffer: 64 << 20 })

let dir = ''
let cacheFile = ''
const sweep = ['--sizes', '8,16,32', '--steps', '2,4,8', '--batch', '32', '--held-out', '128', '--lr-sweep', '1e-4,1e-2', '--l1', '0.5']

beforeAll(async () => {
  await tf.setBackend('cpu')
  dir = await mkdtemp(path.join(os.tmpdir(), 'monoscope-scaling-'))
  cacheFile = path.join(dir, 'acts.safetensors')
  const rows = 512
  const x = sparseBatches(randomDictionary(6, 20, 5), rows, 0.15, 9)()
  const data = (await x.data()) as Float32Array
  x.dispose()
  const info = { hookName: 'blocks.0.hook_resid_post' as const, model: 'synthetic', corpus: 'synthetic:seed=9', contextSize: 16, bosTokenId: null, skipBos: false, tokensProcessed: rows }
  await writeFile(cacheFile, activationCacheToBytes({ info, rows, dIn: 6, data }))
})

afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('monoscope scaling-sweep', () => {
  it('trains the grid and the end runs at each rate, then a re-run trains nothing', async () => {
    const out = path.join(dir, 'out')
    const first = await cli(['scaling-sweep', '--activations', cacheFile, ...sweep, '--out', out])
    expect(first.stderr).toMatch(/13 runs, 13 to train/)
    const file = parseScalingSweepFile(JSON.parse(await readFile(path.join(out, 'scaling.json'), 'utf8')))
    expect(file.runs).toHaveLength(13)
    const grid = file.runs.filter((r) => r.lr === 1e-3)
    expect(grid.map((r) => `${r.dSae}x${r.steps}`).sort()).toEqual(['16x2', '16x4', '16x8', '32x2', '32x4', '32x8', '8x2', '8x4', '8x8'])
    // The learning-rate runs sit at the cheapest (8 × 2) and costliest (32 × 8) grid points.
    expect(file.runs.filter((r) => r.lr !== 1e-3).map((r) => `${r.dSae}x${r.steps}@${r.lr}`).sort()).toEqual(['32x8@0.0001', '32x8@0.01', '8x2@0.0001', '8x2@0.01'])
    for (const r of file.runs) expect(r.tokens).toBe(r.steps * 32)
    const md = await readFile(path.join(out, 'SCALING.md'), 'utf8')
    expect(md).toContain('| d_sae 32 |')
    expect(md).toMatch(/Loss frontier: L\(C\) = /)
    expect(await readFile(path.join(out, 'scaling_loss.svg'), 'utf8')).toMatch(/^<svg[^]*d_sae 16[^]*<\/svg>\s*$/)

    const again = await cli(['scaling-sweep', '--activations', cacheFile, ...sweep, '--out', out])
    expect(again.stderr).toMatch(/13 runs, 0 to train/)
    expect(JSON.parse(await readFile(path.join(out, 'scaling.json'), 'utf8'))).toEqual(file)

    await rm(path.join(out, 'SCALING.md'))
    await cli(['scaling-sweep', '--report-only', '--out', out])
    expect(await readFile(path.join(out, 'SCALING.md'), 'utf8')).toBe(md)
  })

  it('refuses a grid longer than the cache, a bad list and a damaged scaling.json', async () => {
    const fail = async (args: string[]) => {
      const err = (await cli(args).then(() => null, (e: { code: number; stderr: string }) => e))!
      expect(err.code).toBe(2)
      return err.stderr
    }
    expect(await fail(['scaling-sweep', '--activations', cacheFile, ...sweep, '--steps', '100', '--out', path.join(dir, 'long')])).toMatch(/needs 3200 rows but .* has 384 besides the 128 held out/)
    expect(await fail(['scaling-sweep', '--activations', cacheFile, '--sizes', '8,x', '--out', path.join(dir, 'bad')])).toMatch(/--sizes: "x" is not a positive number/)
    const damaged = path.join(dir, 'damaged')
    await cli(['scaling-sweep', '--activations', cacheFile, '--sizes', '8,16', '--steps', '2,4', '--batch', '32', '--held-out', '128', '--lr-sweep', '1e-3', '--out', damaged])
    const json = JSON.parse(await readFile(path.join(damaged, 'scaling.json'), 'utf8')) as { runs: { loss: number }[] }
    json.runs[0]!.loss = -1
    await writeFile(path.join(damaged, 'scaling.json'), JSON.stringify(json))
    expect(await fail(['scaling-sweep', '--report-only', '--out', damaged])).toMatch(/not a Monoscope scaling sweep: runs\.0\.loss/)
  })
})
