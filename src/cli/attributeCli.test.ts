// `monoscope attribute` end to end: on TinyWorld the committed SAE explains "Bridge" after "Golden Arc" with
// attribution ranking features as ablation does (the paper's finding) and activation ranking them far worse; on the
// GPT-2 fixture, which has both layouts, the ONNX engine's ablations equal the tfjs engine's and it says that
// attribution needs gradients.
import { execFile } from 'node:child_process'
import path from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { repoRoot } from './defaults.ts'

const exec = promisify(execFile)
const bin = path.join(repoRoot, 'bin/monoscope.mjs')

interface Out {
  tokens: number[]
  target: { kind: string; token: number }
  target_text: string
  value: number
  attribution_unavailable: string | null
  error_attribution: number[] | null
  overlap: { k: number; attribution: number | null; activation: number }
  features: { position: number; feature: number; activation: number; attribution: number | null; ablation: number }[]
}

async function attribute(args: string[], env: Record<string, string> = {}): Promise<Out> {
  const { stdout } = await exec('node', [bin, 'attribute', ...args, '--json'], { cwd: repoRoot, env: { ...process.env, ...env } })
  return JSON.parse(stdout) as Out
}

describe('monoscope attribute', () => {
  it('TinyWorld: attribution finds the features whose ablation moves "Bridge"; activation mostly does not', async () => {
    const out = await attribute(['--sae', 'public/saes/tinyworld/blocks.2.hook_resid_post/standard-4096', '--prompt', 'The dog can see the Golden Arc', '--target', 'Bridge'])
    expect(out.target_text).toBe('logit(" Bridge")')
    expect(out.features.length).toBeGreaterThan(50)
    // Measured 1.00 and 0.10 (2026-12-07).
    expect(out.overlap.attribution!).toBeGreaterThanOrEqual(0.7)
    expect(out.overlap.activation).toBeLessThanOrEqual(0.4)
    const first = out.features[0]!
    expect(first.ablation).toBeGreaterThan(0.3) // the top feature supports "Bridge", and removing it costs logit
    expect(Math.abs(first.attribution! - first.ablation)).toBeLessThan(0.5 * first.ablation)
  }, 120_000)

  it('GPT-2 fixture: the ONNX engine gives the tfjs engine\'s ablations, and no attribution', async () => {
    const args = ['--model', 'test-fixtures/onnx/gpt2', '--sae', 'test-fixtures/onnx/gpt2/sae', '--prompt', 'the cat sat on the', '--versus-id', '5']
    const tfjs = await attribute(args)
    const onnx = await attribute(args, { MONOSCOPE_ENGINE: 'onnx' })
    expect(tfjs.attribution_unavailable).toBeNull()
    expect(onnx.attribution_unavailable).toMatch(/needs the tfjs engine/)
    expect(onnx.error_attribution).toBeNull()
    expect(onnx.target).toEqual(tfjs.target)
    expect(onnx.value).toBeCloseTo(tfjs.value, 4)
    const byKey = new Map(tfjs.features.map((e) => [`${e.position}:${e.feature}`, e.ablation]))
    expect(onnx.features.length).toBe(tfjs.features.length)
    for (const e of onnx.features) expect(Math.abs(e.ablation - byKey.get(`${e.position}:${e.feature}`)!)).toBeLessThan(1e-3)
  }, 120_000)
})
