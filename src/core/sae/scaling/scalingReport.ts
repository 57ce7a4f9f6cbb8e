// The scaling sweep's figures and Markdown: loss against compute per dictionary size with the frontier's power
// law, and the compute-optimal size and token count with theirs. Strings only (no DOM, no fs).
import { renderCurvesSvg, type Series } from '../../lm/lossCurveSvg.ts'
import { analyseScaling, type ScalingAnalysis } from './frontier.ts'
import { powerLawAt, type PowerLawFit } from './powerLaw.ts'
import type { SweepRunResult } from './sweep.ts'

export interface ScalingSweepFile {
  format: 'monoscope.scaling-sweep'
  version: 1
  /** What every run shares: hook, activations, architecture, sparsity, batch, seed, held-out rows, grid lr. */
  settings: { hook: string; activations: string; architecture: string; l1: number; batch: number; seed: number; heldOutRows: number; lr: number; dIn: number; inputScale: number }
  /** The dSae × steps grid at settings.lr, then the learning-rate sweep runs at the grid's ends. */
  runs: SweepRunResult[]
}

const COLOURS = ['#08519c', '#3182bd', '#6baed6', '#31a354', '#e6550d', '#756bb1', '#636363', '#d6616b']

/** The grid's runs (at the grid lr). */
export function gridRuns(file: ScalingSweepFile): SweepRunResult[] {
  return file.runs.filter((r) => r.lr === file.settings.lr)
}

export function analyseSweep(file: ScalingSweepFile): ScalingAnalysis {
  return analyseScaling(gridRuns(file))
}

function fitLine(fit: PowerLawFit, xs: number[], label: string, colour: string): Series {
  const lo = Math.min(...xs)
  const hi = Math.max(...xs)
  const points = Array.from({ length: 9 }, (_, i) => lo * (hi / lo) ** (i / 8)).map((x): [number, number] => [x, powerLawAt(fit, x)])
  return { label, colour, points, markers: false }
}

export function lossVsComputeSvg(file: ScalingSweepFile, analysis: ScalingAnalysis): string {
  const runs = gridRuns(file)
  const sizes = [...new Set(runs.map((r) => r.dSae))].sort((a, b) => a - b)
  const series: Series[] = sizes.map((n, i) => ({
    label: `d_sae ${n}`,
    colour: COLOURS[i % COLOURS.length]!,
    points: runs.filter((r) => r.dSae === n).sort((a, b) => a.compute - b.compute).map((r): [number, number] => [r.compute, r.loss]),
  }))
  if (analysis.lossFit) series.push(fitLine(analysis.lossFit, analysis.frontier.map((r) => r.compute), `frontier C^${analysis.lossFit.exponent.toFixed(3)}`, '#d62728'))
  return renderCurvesSvg(series, { title: 'Held-out loss against training compute', xLabel: 'training compute (FLOPs)', yLabel: 'loss (MSE + λ·L1)', logX: true, logY: true, markers: true })
}

export function optimalAllocationSvg(analysis: ScalingAnalysis): string {
  const interior = analysis.profiles.filter((p) => p.method === 'parabola')
  const series: Series[] = [
    { label: 'optimal d_sae', colour: '#08519c', points: interior.map((p): [number, number] => [p.compute, p.dSae]) },
    { label: 'optimal tokens', colour: '#e6550d', points: interior.map((p): [number, number] => [p.compute, p.tokens]) },
  ]
  const xs = interior.map((p) => p.compute)
  if (analysis.sizeFit) series.push(fitLine(analysis.sizeFit, xs, `d_sae ∝ C^${analysis.sizeFit.exponent.toFixed(2)}`, '#6baed6'))
  if (analysis.tokensFit) series.push(fitLine(analysis.tokensFit, xs, `tokens ∝ C^${analysis.tokensFit.exponent.toFixed(2)}`, '#fdae6b'))
  return renderCurvesSvg(series, { title: 'Compute-optimal dictionary size and training tokens', xLabel: 'training compute (FLOPs)', yLabel: 'd_sae or tokens', logX: true, logY: true, markers: true, yDecadeLabels: true })
}

const fmtFit = (f: PowerLawFit | null, what: string) => (f ? `${what} = ${f.coefficient.toExponential(3)} · C^${f.exponent.toFixed(3)} (R² ${f.r2.toFixed(3)}, ${f.points} points)` : `${what}: too few points to fit`)
const fmtTokens = (t: number) => (t >= 1e6 ? `${(t / 1e6).toFixed(2)}M` : `${Math.round(t / 1e3)}k`)

export function scalingMarkdown(file: ScalingSweepFile, analysis: ScalingAnalysis): string {
  const s = file.settings
  const runs = gridRuns(file)
  const sizes = [...new Set(runs.map((r) => r.dSae))].sort((a, b) => a - b)
  const steps = [...new Set(runs.map((r) => r.steps))].sort((a, b) => a - b)
  const cell = (n: number, st: number, pick: (r: SweepRunResult) => string) => {
    const r = runs.find((x) => x.dSae === n && x.steps === st)
    return r ? pick(r) : '–'
  }
  const grid = (title: string, pick: (r: SweepRunResult) => string) => [
    `| ${title} | ${steps.map((st) => `${fmtTokens(st * s.batch)} tokens`).join(' | ')} |`,
    `|---|${steps.map(() => '---').join('|')}|`,
    ...sizes.map((n) => `| d_sae ${n} | ${steps.map((st) => cell(n, st, pick)).join(' | ')} |`),
  ]
  const lrRuns = file.runs.filter((r) => r.lr !== s.lr)
  const ends = [...new Set(lrRuns.map((r) => `${r.dSae}:${r.steps}`))].map((k) => k.split(':').map(Number) as [number, number])
  const lrRows = ends.map(([n, st]) => {
    const at = file.runs.filter((r) => r.dSae === n && r.steps === st).sort((a, b) => a.lr - b.lr)
    const best = at.reduce((a, b) => (b.loss < a.loss ? b : a))
    return `| d_sae ${n}, ${fmtTokens(st * s.batch)} tokens | ${at.map((r) => `lr ${r.lr}: ${r.loss.toFixed(4)}${r === best ? ' (best)' : ''}`).join('; ')} | ${(((at.find((r) => r.lr === s.lr)?.loss ?? NaN) / best.loss - 1) * 100).toFixed(1)}% |`
  })
  const profileRows = analysis.profiles.map(
    (p) => `| ${p.compute.toExponential(2)} | ${p.runs.map((r) => `${r.dSae}: ${r.loss.toFixed(4)}`).join(', ')} | ${p.method === 'parabola' ? `${Math.round(p.dSae)} (vertex)` : `${p.dSae} (best run, at an end: left out of the fit)`} | ${fmtTokens(p.tokens)} |`,
  )
  return `# Scaling laws for TinyWorld SAEs on \`${s.hook}\`

Built by \`npx monoscope scaling-sweep\` (\`${s.architecture}\` SAEs, λ ${s.l1}, batch ${s.batch}, seed ${s.seed}, lr ${s.lr}; inputs scaled
by ${s.inputScale.toPrecision(4)} so E‖x‖ = √d_in). Every run trains on its own number of rows of one training pool, each row seen
once, and is scored on the same ${s.heldOutRows.toLocaleString('en')} held-out rows by the training objective at its full sparsity
coefficient (MSE + λ Σᵢ fᵢ‖W_dec,i‖). Compute is 12 · d_in · d_sae · tokens FLOPs (a dense step: encoder and decoder
forward, twice that backward), so runs on a diagonal of the grid share a budget, as in Chinchilla's IsoFLOP profiles.

![loss against compute](scaling_loss.svg)

${grid('held-out loss', (r) => r.loss.toFixed(4)).join('\n')}

${grid('FVU · L0', (r) => `${r.fvu.toFixed(3)} · ${r.l0.toFixed(1)}`).join('\n')}

## Fits

- Loss frontier: ${fmtFit(analysis.lossFit, 'L(C)')} over the ${analysis.frontier.length} runs that beat every cheaper one.
- Compute-optimal size: ${fmtFit(analysis.sizeFit, 'd_sae_opt(C)')}.
- Compute-optimal tokens: ${fmtFit(analysis.tokensFit, 'tokens_opt(C)')}.

![optimal allocation](scaling_optimal.svg)

Each budget with three or more sizes is an IsoFLOP profile; a parabola in log d_sae through its losses gives the
optimal size when its vertex lies inside the sizes tried. A profile whose best run is the smallest or largest size only
bounds the optimum and is left out of the fits.

| compute (FLOPs) | loss by d_sae | optimal d_sae | optimal tokens |
|---|---|---|---|
${profileRows.join('\n')}

## Learning rate at the ends of the grid

The grid uses lr ${s.lr} throughout; at its cheapest and its most expensive run the sweep also tried other rates. The last
column is how much worse the grid's rate is than the best one tried there.

| run | held-out loss by learning rate | grid lr's excess |
|---|---|---|
${lrRows.join('\n')}
`
}
