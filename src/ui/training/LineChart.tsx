// One live training curve: an SVG line drawn with d3-scale and d3-shape (React owns the DOM, d3 does the maths).
// The y range and ticks come from chartScale.ts; both axes are labelled.
import { scaleLinear } from 'd3-scale'
import { line } from 'd3-shape'
import { yDomain, yTicks, type ChartKind } from './chartScale.ts'

export interface ChartPoint {
  x: number
  y: number
}

const W = 240
const H = 120
const M = { top: 8, right: 8, bottom: 26, left: 50 }

const tickPct = (v: number) => `${Math.round(100 * v)}%`
// Inline, so the chart's look stays in this folder (styles.css has .axis, .tick and .curve).
const GRID = { stroke: 'var(--border)', strokeDasharray: '2 3' } as const
const AXIS_LABEL = { fontSize: '9px', fill: 'var(--muted)' } as const

export function LineChart(props: { title: string; metric: string; points: ChartPoint[]; format: (v: number) => string; kind?: ChartKind; yLabel: string; note?: string; /** The glossary definition, on hover of the title only. */ help?: string }) {
  const { title, metric, points, format, kind = 'value', yLabel, note, help } = props
  const finite = points.filter((p) => Number.isFinite(p.y))
  const xs = finite.map((p) => p.x)
  const xMax = Math.max(1, ...xs)
  const x = scaleLinear()
    .domain([Math.min(0, ...xs), xMax])
    .range([M.left, W - M.right])
  const domain = yDomain(
    finite.map((p) => p.y),
    kind,
  )
  const y = scaleLinear().domain(domain).range([H - M.bottom, M.top])
  // d3's tick format gives round ticks the digits their step needs ("50", not "50.00"); fractions read as percentages.
  const tickText = kind === 'fraction' ? tickPct : y.tickFormat(5)
  const path = line<ChartPoint>()
    .x((p) => x(p.x))
    .y((p) => y(p.y))(finite)
  const last = finite.at(-1)
  return (
    // First and last values and the y range as data: tests (and the curious) can check a curve without reading pixels.
    <figure className="train-chart" data-testid="train.chart" data-metric={metric} data-points={finite.length} data-first={finite[0]?.y} data-last={last?.y} data-y-min={domain[0]} data-y-max={domain[1]}>
      <figcaption title={[help, note].filter(Boolean).join(' ') || undefined}>
        {title} <span className="mono">{last ? format(last.y) : '–'}</span>
      </figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`${title} over training steps${last ? `, now ${format(last.y)}` : ''}`}>
        {yTicks(domain).map((t) => (
          <g key={t}>
            <line x1={M.left - 3} x2={W - M.right} y1={y(t)} y2={y(t)} className={t === domain[0] ? 'axis' : undefined} style={t === domain[0] ? undefined : GRID} />
            <text x={M.left - 5} y={y(t) + 3} textAnchor="end" className="tick">
              {tickText(t)}
            </text>
          </g>
        ))}
        <line x1={M.left} x2={M.left} y1={M.top} y2={H - M.bottom} className="axis" />
        <text x={M.left} y={H - M.bottom + 11} textAnchor="middle" className="tick">
          {Math.min(0, ...xs)}
        </text>
        <text x={W - M.right} y={H - M.bottom + 11} textAnchor="end" className="tick">
          {xMax}
        </text>
        <text x={(M.left + W - M.right) / 2} y={H - 3} textAnchor="middle" style={AXIS_LABEL} data-testid="train.chart-x-label">
          training step
        </text>
        <text transform={`translate(9 ${(M.top + H - M.bottom) / 2}) rotate(-90)`} textAnchor="middle" style={AXIS_LABEL} data-testid="train.chart-y-label">
          {yLabel}
        </text>
        {path && <path d={path} className="curve" />}
        {/* The latest point as a dot: a curve of one point (CE measured only at the end) would draw nothing. */}
        {last && <circle cx={x(last.x)} cy={y(last.y)} r={2.5} className="curve" style={{ fill: 'var(--accent)' }} />}
      </svg>
      {note && <p className="hint">{note}</p>}
    </figure>
  )
}
