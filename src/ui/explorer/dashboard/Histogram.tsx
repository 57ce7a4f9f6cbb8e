// The activation histogram as SVG bars on the file's log-spaced bins (count on hover). With ground truth, each bar
// is split into the tokens carrying the feature's best concept (accent) and the rest: the paper's specificity plot.
import { scaleLinear, scaleLog } from 'd3-scale'
import { formatAct } from '../data.ts'

const W = 360
const H = 120
const PAD = 22

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
  const x = scaleLog().domain([lo, hi]).range([PAD, W - 4])
  const y = scaleLinear().domain([0, Math.max(...counts)]).range([H - PAD, 6])
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
              <rect key={i} x={x0} width={width} y={y(c)} height={H - PAD - y(c)} className="bar">
                <title>{`${range}: ${c} tokens`}</title>
              </rect>
            )
          }
          const k = conceptCounts[i]!
          return (
            <g key={i} data-testid="dashboard.histogram-bin" data-count={c} data-concept-count={k}>
              <title>{`${range}: ${c} tokens, «${conceptName}» in ${k} (${percent(k, c)})`}</title>
              <rect x={x0} width={width} y={y(c)} height={y(k) - y(c)} className="bar absent" />
              <rect x={x0} width={width} y={y(k)} height={H - PAD - y(k)} className="bar" />
            </g>
          )
        })}
        <line x1={PAD} x2={W - 4} y1={H - PAD} y2={H - PAD} className="axis" />
        <text x={PAD} y={H - 6} className="tick">
          {formatAct(lo)}
        </text>
        <text x={W - 4} y={H - 6} className="tick" textAnchor="end">
          {formatAct(hi)}
        </text>
      </svg>
      {stacked && (
        <figcaption className="histogram-legend" data-testid="dashboard.histogram-legend">
          <span className="swatch present" aria-hidden="true" />«{conceptName}» present <span className="swatch absent" aria-hidden="true" />absent
        </figcaption>
      )}
    </figure>
  )
}
