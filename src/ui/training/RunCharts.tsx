// The selected run's live curves (loss, MSE, L0, FVU, dead fraction, CE loss recovered) with speed and ETA, and
// the final measurements on fresh tokens (labelled: their "dead" is not the chart's, see metricNotes.ts).
import { useAppState } from '../appContext.tsx'
import { LineChart, type ChartPoint } from './LineChart.tsx'
import { formatSeconds } from './format.ts'
import { deadNotes } from './metricNotes.ts'
import { GLOSSARY } from '../learn/glossary.ts'

const PREPARE_TEXT = { fill: 'filling the activation buffer', skip: 'fast-forwarding the data to the checkpoint', analyse: 'computing dashboards (%)' } as const

const num = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toPrecision(2))
const pct = (v: number) => `${(100 * v).toFixed(v < 0.1 ? 1 : 0)}%`

export function RunCharts() {
  const selected = useAppState((s) => (s.training.selectedRunId ? (s.training.runs[s.training.selectedRunId] ?? null) : null))
  if (!selected) return <p className="muted">Start a run to see its curves here.</p>
  const run = selected
  const series = (pick: (e: (typeof run.log)[number]) => number): ChartPoint[] => run.log.map((e) => ({ x: e.step, y: pick(e) }))
  const notes = deadNotes(run.settings)
  const ce = run.ce.filter((c) => c.ceLossRecovered !== null).map((c) => ({ x: c.step, y: c.ceLossRecovered! }))
  return (
    <section className="train-charts" data-testid="train.charts" data-run-id={run.runId} data-log={run.log.length} aria-label={`Curves of ${run.name}`}>
      <p className="status" data-testid="train.speed" data-tokens-per-second={run.tokensPerSecond ?? ''}>
        <strong>{run.name}</strong> · step {run.step}/{run.totalSteps}
        {run.tokensPerSecond !== null && ` · ${Math.round(run.tokensPerSecond).toLocaleString()} tokens/s`}
        {run.etaSeconds !== null && run.status === 'running' && <span data-testid="train.eta"> · ETA {formatSeconds(run.etaSeconds)}</span>}
        {run.prepare && ` · ${PREPARE_TEXT[run.prepare.phase]} ${run.prepare.done}/${run.prepare.total}`}
      </p>
      <div className="train-chart-grid">
        <LineChart title="Loss" metric="loss" points={series((e) => e.loss)} format={num} yLabel="loss" help="The training objective: reconstruction error plus the sparsity penalty." />
        <LineChart title="MSE" metric="mse" points={series((e) => e.mse)} format={num} yLabel="MSE" help={GLOSSARY.mse} />
        <LineChart title="L0" metric="l0" points={series((e) => e.l0)} format={num} yLabel="latents / token" help={GLOSSARY.l0} />
        <LineChart title="FVU" metric="fvu" points={series((e) => e.fvu)} format={num} yLabel="unexplained" help={GLOSSARY.fvu} />
        <LineChart title="Dead latents" metric="dead" points={series((e) => e.deadFraction)} format={pct} kind="fraction" yLabel="% of latents" note={notes.chart} help={GLOSSARY.dead} />
        <LineChart title="CE loss recovered" metric="ce" points={ce} format={pct} kind="fraction" yLabel="% recovered" help={GLOSSARY.ceRecovered} />
      </div>
      {run.final && (
        <p className="status" data-testid="train.final" data-l0={run.final.l0} data-dead={run.final.deadFraction} data-ce-recovered={run.final.ce?.ceLossRecovered ?? ''}>
          Final, {notes.finalSample}: L0 {run.final.l0.toFixed(1)}, dead {pct(run.final.deadFraction)} ({notes.finalDead}), CE loss recovered{' '}
          {run.final.ce?.ceLossRecovered != null ? pct(run.final.ce.ceLossRecovered) : 'n/a'}
        </p>
      )}
    </section>
  )
}
