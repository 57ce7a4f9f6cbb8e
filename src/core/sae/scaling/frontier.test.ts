// The compute-optimal analysis against brute force (the frontier), planted parabolas, and a planted scaling law
// L = E + A/N^α + B/D^β whose optimal allocation is known in closed form: N_opt ∝ C^(β/(α+β)).
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { analyseScaling, fitParabola, isoComputeGroups, isoComputeOptimum, lossFrontier, trainingFlops, type ScalingRun } from './frontier.ts'

const run = (dSae: number, tokens: number, loss: number): ScalingRun => ({ dSae, tokens, compute: trainingFlops(128, dSae, tokens), loss })

describe('lossFrontier', () => {
  it('keeps exactly the runs no cheaper-or-equal run beats (brute force)', () => {
    const arb = fc.array(fc.record({ dSae: fc.integer({ min: 1, max: 6 }), tokens: fc.integer({ min: 1, max: 6 }), loss: fc.double({ min: 0.01, max: 1, noNaN: true }) }), { minLength: 1, maxLength: 25 })
    fc.assert(
      fc.property(arb, (rows) => {
        const runs = rows.map((r) => run(2 ** r.dSae, 2 ** r.tokens, r.loss))
        const frontier = lossFrontier(runs)
        const brute = runs.filter((r) => !runs.some((o) => o !== r && o.compute <= r.compute && (o.loss < r.loss || (o.loss === r.loss && o.compute < r.compute))))
        // Ties of equal compute and loss keep one of them: compare the (compute, loss) sets.
        const key = (r: ScalingRun) => `${r.compute}:${r.loss}`
        expect(new Set(frontier.map(key))).toEqual(new Set(brute.map(key)))
        for (let i = 1; i < frontier.length; i++) expect(frontier[i]!.loss).toBeLessThan(frontier[i - 1]!.loss)
      }),
    )
  })
})

describe('isoComputeGroups and isoComputeOptimum', () => {
  it('groups a doubling grid by its diagonals', () => {
    const runs = [256, 512, 1024, 2048].flatMap((n) => [1, 2, 4, 8].map((t) => run(n, t * 1000, 1)))
    expect(isoComputeGroups(runs).map((g) => g.length)).toEqual([1, 2, 3, 4, 3, 2, 1])
    expect(isoComputeGroups(runs)[3]!.map((r) => r.dSae)).toEqual([256, 512, 1024, 2048])
  })

  it('fits a planted parabola exactly', () => {
    const ts = [0, 1, 2, 3.5, 5]
    const [c0, c1, c2] = fitParabola(ts, ts.map((t) => 2 - 3 * t + 0.5 * t * t))
    expect([c0, c1, c2].map((v) => +v.toFixed(9))).toEqual([2, -3, 0.5])
  })

  it('takes the parabola vertex inside the profile, and the best run when the minimum is at an end', () => {
    // loss = (ln N − ln 700)² + 1 → vertex at N = 700.
    const u = (n: number) => (Math.log(n) - Math.log(700)) ** 2 + 1
    const C = 1e6
    const inside = isoComputeOptimum([256, 512, 1024, 2048].map((n) => ({ dSae: n, tokens: C / n, compute: C, loss: u(n) })))
    expect(inside.method).toBe('parabola')
    expect(inside.dSae).toBeCloseTo(700, 6)
    expect(inside.tokens * inside.dSae).toBeCloseTo(C, 3)
    expect(inside.loss).toBeCloseTo(1, 9)
    const edge = isoComputeOptimum([256, 512, 1024].map((n) => ({ dSae: n, tokens: C / n, compute: C, loss: 1 / n })))
    expect(edge).toMatchObject({ method: 'best-run', dSae: 1024 })
  })
})

describe('analyseScaling', () => {
  it('recovers the optimal-allocation exponents of a planted scaling law', () => {
    const [E, A, alpha, B, beta] = [0.05, 3, 0.6, 40, 0.35]
    const sizes = Array.from({ length: 9 }, (_, i) => 64 * 2 ** i)
    const tokens = Array.from({ length: 9 }, (_, i) => 1e4 * 2 ** i)
    const runs = sizes.flatMap((n) => tokens.map((d) => run(n, d, E + A / n ** alpha + B / d ** beta)))
    const a = analyseScaling(runs)
    const theory = beta / (alpha + beta)
    expect(a.sizeFit!.exponent).toBeGreaterThan(theory - 0.05)
    expect(a.sizeFit!.exponent).toBeLessThan(theory + 0.05)
    expect(a.sizeFit!.exponent + a.tokensFit!.exponent).toBeCloseTo(1, 6) // N·D = C/k on every profile
    expect(a.lossFit!.exponent).toBeLessThan(0)
    expect(a.frontier.length).toBeGreaterThan(3)
  })

  it('has no size fit without two profiles of three sizes, and refuses bad runs', () => {
    const a = analyseScaling([run(256, 1000, 1), run(512, 1000, 0.9)])
    expect(a.sizeFit).toBeNull()
    expect(a.lossFit).not.toBeNull()
    expect(() => analyseScaling([run(256, 1000, Number.NaN)])).toThrow(/positive dSae/)
  })
})
