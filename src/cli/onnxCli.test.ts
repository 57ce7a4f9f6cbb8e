// The CLI on ONNX models: `--model` takes a folder in the transformers.js layout as it takes a safetensors one, and
// gives PyTorch's numbers; on the GPT-2 fixture, which carries both layouts, the two engines agree.
import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { repoRoot } from './defaults.ts'

const exec = promisify(execFile)
const bin = path.join(repoRoot, 'bin/monoscope.mjs')
const fixture = (family: string) => path.join(repoRoot, 'test-fixtures/onnx', family)

async function run(family: string, env: Record<string, string> = {}) {
  const expected = JSON.parse(await readFile(path.join(fixture(family), 'expected.json'), 'utf8')) as { prompt: number[]; logits: number[][]; hooks: Record<string, number[][]> }
  const { stdout } = await exec('node', [bin, 'run', '--model', fixture(family), '--ids', expected.prompt.join(','), '--hooks', 'blocks.1.hook_resid_post', '--all-positions', '--json'], { env: { ...process.env, ...env } })
  return { out: JSON.parse(stdout) as { logits: number[][]; hooks: Record<string, number[][]> }, expected }
}

const maxAbsDiff = (a: number[][], b: number[][]) => Math.max(...a.flatMap((row, i) => row.map((v, j) => Math.abs(v - b[i]![j]!))))

describe('monoscope run on ONNX models', () => {
  it.each(['llama', 'gpt_neox'])('%s: the ONNX folder is picked by itself and matches PyTorch', async (family) => {
    const { out, expected } = await run(family)
    expect(maxAbsDiff(out.logits, expected.logits)).toBeLessThan(1e-4)
    expect(maxAbsDiff(out.hooks['blocks.1.hook_resid_post']!, expected.hooks['blocks.1.hook_resid_post']!)).toBeLessThan(1e-4)
  })

  it('gpt2 with both layouts: the tfjs engine (safetensors) and MONOSCOPE_ENGINE=onnx agree with each other and PyTorch', async () => {
    const tfjs = await run('gpt2')
    const onnx = await run('gpt2', { MONOSCOPE_ENGINE: 'onnx' })
    expect(maxAbsDiff(tfjs.out.logits, tfjs.expected.logits)).toBeLessThan(1e-4)
    expect(maxAbsDiff(onnx.out.logits, tfjs.out.logits)).toBeLessThan(1e-4)
    expect(maxAbsDiff(onnx.out.hooks['blocks.1.hook_resid_post']!, tfjs.out.hooks['blocks.1.hook_resid_post']!)).toBeLessThan(1e-4)
  })
})
