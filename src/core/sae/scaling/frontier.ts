// The compute-optimal analysis of a grid of SAE training runs (dictionary size × training tokens), as Scaling
// Monosemanticity (and Chinchilla's "IsoFLOP profiles") did: the loss frontier against compute, and for each compute
// budget the dictionary size and token count that reach the lowest loss, with power laws fitted to both.
import { InvalidArgumentError } from '../../errors.ts'
import { fitPowerLaw, type PowerLawFit } from './powerLaw.ts'

export interface ScalingRun {
  dSae: number
  tokens: number
  /** Training compute, in FLOPs (any constant multiple of dSae·tokens fits the same exponents). */
  compute: number
  /** Held-out loss (the training objective at its full sparsity coefficient). */
  loss: number
}

export interface IsoComputeOptimum {
  compute: number
  /** The runs of this budget, by dictionary size. */
  runs: ScalingRun[]
  /** The loss-minimising size: the vertex of a parabola in log dSae when it is convex and inside the runs' range, else the best run's. */
  dSae: number
  tokens: number
  loss: number
  /** 'parabola' or 'best-run' (a profile that is not convex or whose minimum lies at an end). */
  method: 'parabola' | 'best-run'
}

export interface ScalingAnalysis {
  /** Runs with a lower loss than every run of no more compute, in compute order. */
  frontier: ScalingRun[]
  /** L(C) = a·C^b over the frontier (null with fewer than two frontier points). */
  lossFit: PowerLawFit | null
  profiles: IsoComputeOptimum[]
  /**
   * dSae_opt(C) and tokens_opt(C) over the profiles whose minimum lies inside their sizes (a parabola vertex);
   * a profile whose best run is at an end only bounds the optimum, so it is left out (null with fewer than two).
   */
  sizeFit: PowerLawFit | null
  tokensFit: PowerLawFit | null
}

/** FLOPs of dense training on `tokens` rows: forward 4·dIn·dSae (encoder and decoder), backward twice that. */
export function trainingFlops(dIn: number, dSae: number, tokens: number): number {
  return 12 * dIn * dSae * tokens
}

/** Runs strictly better than everything cheaper or equally cheap. */
export function lossFrontier(runs: readonly ScalingRun[]): ScalingRun[] {
  const sorted = [...runs].sort((a, b) => a.compute - b.compute || a.loss - b.loss)
  const frontier: ScalingRun[] = []
  for (const run of sorted) if (frontier.length === 0 || run.loss < frontier.at(-1)!.loss) frontier.push(run)
  return frontier
}

/** Groups runs of equal compute (to a relative 1e-6): a grid with sizes and tokens in the same ratio steps has diagonals of them. */
export function isoComputeGroups(runs: readonly ScalingRun[]): ScalingRun[][] {
  const groups: ScalingRun[][] = []
  for (const run of [...runs].sort((a, b) => a.compute - b.compute)) {
    const last = groups.at(-1)
    if (last && Math.abs(run.compute - last[0]!.compute) <= 1e-6 * run.compute) last.push(run)
    else groups.push([run])
  }
  return groups.map((g) => g.sort((a, b) => a.dSae - b.dSae))
}

/** Least-squares parabola y = c0 + c1·t + c2·t² (three or more points). */
export function fitParabola(ts: readonly number[], ys: readonly number[]): [number, number, number] {
  if (ts.length < 3) throw new InvalidArgumentError('fitParabola needs three or more points')
  // Normal equations of the 3-parameter least squares, solved by Cramer's rule (3×3, well-conditioned after centring).
  const mean = ts.reduce((s, v) => s + v, 0) / ts.length
  const u = ts.map((t) => t - mean)
  const s = [0, 0, 0, 0, 0]
  const r = [0, 0, 0]
  u.forEach((t, i) => {
    for (let p = 0; p < 5; p++) s[p]! += t ** p
    for (let p = 0; p < 3; p++) r[p]! += ys[i]! * t ** p
  })
  const m = [
    [s[0]!, s[1]!, s[2]!],
    [s[1]!, s[2]!, s[3]!],
    [s[2]!, s[3]!, s[4]!],
  ]
  const det = (a: number[][]) => a[0]![0]! * (a[1]![1]! * a[2]![2]! - a[1]![2]! * a[2]![1]!) - a[0]![1]! * (a[1]![0]! * a[2]![2]! - a[1]![2]! * a[2]![0]!) + a[0]![2]! * (a[1]![0]! * a[2]![1]! - a[1]![1]! * a[2]![0]!)
  const d = det(m)
  if (d === 0) throw new InvalidArgumentError('fitParabola needs three or more distinct points')
  const coef = [0, 1, 2].map((k) => det(m.map((row, i) => row.map((v, j) => (j === k ? r[i]! : v)))) / d) as [number, number, number]
  // Back from centred u = t − mean to t.
  const [a0, a1, a2] = coef
  return [a0 - a1 * mean + a2 * mean * mean, a1 - 2 * a2 * mean, a2]
}

/** The optimum of one iso-compute profile (runs of equal compute, different sizes). */
export function isoComputeOptimum(runs: readonly ScalingRun[]): IsoComputeOptimum {
  if (runs.length === 0) throw new InvalidArgumentError('isoComputeOptimum needs runs')
  const sorted = [...runs].sort((a, b) => a.dSae - b.dSae)
  const compute = sorted[0]!.compute
  const best = sorted.reduce((a, b) => (b.loss < a.loss ? b : a))
  const bestRun = { compute, runs: sorted, dSae: best.dSae, tokens: best.tokens, loss: best.loss, method: 'best-run' as const }
  if (sorted.length < 3) return bestRun
  const ts = sorted.map((r) => Math.log(r.dSae))
  const [c0, c1, c2] = fitParabola(ts, sorted.map((r) => r.loss))
  const vertex = -c1 / (2 * c2)
  if (!(c2 > 0) || vertex <= ts[0]! || vertex >= ts.at(-1)!) return bestRun
  const dSae = Math.exp(vertex)
  return { compute, runs: sorted, dSae, tokens: (best.tokens * best.dSae) / dSae, loss: c0 + c1 * vertex + c2 * vertex * vertex, method: 'parabola' }
}

export function analyseScaling(runs: readonly ScalingRun[]): ScalingAnalysis {
  for (const r of runs) {
    if (!(r.dSae > 0 && r.tokens > 0 && r.compute > 0 && Number.isFinite(r.loss) && r.loss > 0)) {
      throw new InvalidArgumentError(`A scaling run needs positive dSae, tokens, compute and loss, got ${JSON.stringify(r)}`)
    }
  }
  const frontier = lossFrontier(runs)
  const profiles = isoComputeGroups(runs)
    .filter((g) => new Set(g.map((r) => r.dSae)).size >= 3)
    .map(isoComputeOptimum)
  const interior = profiles.filter((p) => p.method === 'parabola')
  const fitOver = (pick: (p: IsoComputeOptimum) => number) => (interior.length >= 2 ? fitPowerLaw(interior.map((p) => p.compute), interior.map(pick)) : null)
  return {
    frontier,
    lossFit: frontier.length >= 2 ? fitPowerLaw(frontier.map((r) => r.compute), frontier.map((r) => r.loss)) : null,
    profiles,
    sizeFit: fitOver((p) => p.dSae),
    tokensFit: fitOver((p) => p.tokens),
  }
}
