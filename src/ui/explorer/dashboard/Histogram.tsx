// The activation histogram as SVG bars on the file's log-spaced bins (count on hover). With ground truth, each bar
// is split into the tokens carrying the feature's best concept (accent) and the rest: the paper's specificity plot.
// Axes: activation (log scale) below, token count on the left, each with a few ticks.
import { scaleLinear, scaleLog } from 'd3-scale'
import { formatAct } from '../data.ts'

const W = 360
const H = 140
/** Room for the count ticks on the left and the activation ticks and axis title below. */
const LEFT = 36
const BOTTOM = 32

const percent = (part: number, whole: number) => `${whole > 0 ? ((100 * part) / whole).toFixed(0) : '0'}%`

interface HistogramProps {
  edges: readonly number[]
  counts: readonly number[]
  /** Tokens of the concept per bin, aligned with counts; absent or null draws plain bars. */
  conceptCounts?: readonly number[] | null
  conceptName?: string
}

export function Histogram({ edges, counts, conceptCounts, conceptName = 'concept' }: HistogramProps) {
  if (counts.length === 0) return <p className="muted">Never active.</p>
  const lo = Math.max(edges[0]!, 1e-6)
  const hi = Math.max(edges[edges.length - 1]!, lo * 1.01)
  const x = scaleLog().domain([lo, hi]).range([LEFT, W - 6])
  const y = scaleLinear().domain([0, Math.max(...counts)]).range([H - BOTTOM, 8])
  const xTicks = x.ticks(4).filter((t, i, all) => all.length <= 5 || i % Math.ceil(all.length / 5) === 0)
  const yTicks = y.ticks(3).filter(Number.isInteger)
  const stacked = conceptCounts != null && conceptCounts.length === counts.length
  const total = counts.reduce((a, b) => a + b, 0)
  const present = stacked ? conceptCounts.reduce((a, b) => a + b, 0) : 0
  const label = stacked ? `Activation histogram; «${conceptName}» present in ${percent(present, total)} of ${total} active tokens` : 'Activation histogram'
  return (
    <figure className="histogram-figure">
      <svg className="histogram" viewBox={`0 0 ${W} ${H}`} role="img" aria-label={label} data-testid="dashboard.histogram" data-stacked={stacked ? 'true' : undefined}>
        {counts.map((c, i) => {
          const x0 = x(Math.max(edges[i]!, lo))
          const width = Math.max(1, x(edges[i + 1]!) - x0 - 0.5)
          const range = `${formatAct(edges[i]!)} – ${formatAct(edges[i + 1]!)}`
          if (!stacked) {
            return (
              <rect key={i} x={x0} width={width} y={y(c)} height={H - BOTTOM - y(c)} className="bar">
                <title>{`${range}: ${c} tokens`}</title>
              </rect>
            )
          }
          const k = conceptCounts[i]!
          return (
            <g key={i} data-testid="dashboard.histogram-bin" data-count={c} data-concept-count={k}>
              <title>{`${range}: ${c} tokens, «${conceptName}» in ${k} (${percent(k, c)})`}</title>
              <rect x={x0} width={width} y={y(c)} height={y(k) - y(c)} className="bar absent" />
              <rect x={x0} width={width} y={y(k)} height={H - BOTTOM - y(k)} className="bar" />
            </g>
          )
        })}
        <g data-testid="dashboard.histogram-x-axis">
          <line x1={LEFT} x2={W - 6} y1={H - BOTTOM} y2={H - BOTTOM} className="axis" />
          {xTicks.map((t) => (
            <g key={t}>
              <line x1={x(t)} x2={x(t)} y1={H - BOTTOM} y2={H - BOTTOM + 3} className="axis" />
              <text x={x(t)} y={H - BOTTOM + 12} className="tick" textAnchor="middle">
                {formatAct(t)}
              </text>
            </g>
          ))}
          <text x={(LEFT + W) / 2} y={H - 3} className="axis-title" textAnchor="middle">
            activation (log scale)
          </text>
        </g>
        <g data-testid="dashboard.histogram-y-axis">
          <line x1={LEFT} x2={LEFT} y1={8} y2={H - BOTTOM} className="axis" />
          {yTicks.map((t) => (
            <g key={t}>
              <line x1={LEFT - 3} x2={LEFT} y1={y(t)} y2={y(t)} className="axis" />
              <text x={LEFT - 5} y={y(t) + 3} className="tick" textAnchor="end">
                {t}
              </text>
            </g>
          ))}
          <text x={9} y={(H - BOTTOM) / 2} className="axis-title" textAnchor="middle" transform={`rotate(-90 9 ${(H - BOTTOM) / 2})`}>
            tokens
          </text>
        </g>
      </svg>
      {stacked && (
        <figcaption className="histogram-legend" data-testid="dashboard.histogram-legend">
          <span className="swatch present" aria-hidden="true" />«{conceptName}» present <span className="swatch absent" aria-hidden="true" />absent
        </figcaption>
      )}
    </figure>
  )
}
