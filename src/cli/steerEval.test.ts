// The concept-rate measurement on the committed TinyWorld model and the first SAE of its index, small: 10 seeded
// generations per setting instead of 50. Clamping a concept's best feature at 10× max must make it appear in most
// generations for several concepts whose unsteered rate is low; it fails when steering does nothing or misfires.
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { main } from './main.ts'
import type { SteeringReport } from './commands/steerEvalReport.ts'

describe('monoscope steer-eval (small)', () => {
  it('clamping the best feature at 10× max makes at least three of the default concepts appear in ≥ 80% of generations', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'monoscope-steer-eval-'))
    try {
      const index = JSON.parse(await readFile(path.resolve('public/saes/tinyworld/index.json'), 'utf8')) as { saes: { path: string }[] }
      const write = process.stdout.write
      process.stdout.write = (() => true) as typeof process.stdout.write // the Markdown goes to the file; keep the test log short
      let code: number
      try {
        code = await main(['steer-eval', '--sae', path.resolve('public', index.saes[0]!.path), '--samples', '10', '--max-tokens', '30', '--multiples', '10', '--suppress-multiples=-10', '--out-dir', dir])
      } finally {
        process.stdout.write = write
      }
      expect(code).toBe(0)
      const report = JSON.parse(await readFile(path.join(dir, 'steering_report.json'), 'utf8')) as SteeringReport
      const [sae] = report.saes
      expect(sae!.concepts.length).toBeGreaterThanOrEqual(5)
      const steerable = sae!.concepts.filter((c) => c.baseline.rate <= 0.2 && c.steered[0]!.rate >= 0.8)
      expect(steerable.length, JSON.stringify(sae!.concepts.map((c) => [c.concept, c.baseline.rate, c.steered[0]?.rate]))).toBeGreaterThanOrEqual(3)
      // Suppression: some negative clamp lowers its concept's rate below the unsteered rate on the same prompt.
      expect(sae!.suppression.some((s) => s.clamped[0]!.rate < s.baseline.rate - 0.2)).toBe(true)
      expect(await readFile(path.join(dir, 'steering_report.md'), 'utf8')).toContain('| concept | feature | AUROC |')
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  }, 300_000)
})
