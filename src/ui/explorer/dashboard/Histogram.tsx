// The activation histogram as SVG bars on the file's log-spaced bins (count on hover).
import { scaleLinear, scaleLog } from 'd3-scale'
import { formatAct } from '../data.ts'

const W = 360
const H = 120
const PAD = 22

export function Histogram({ edges, counts }: { edges: readonly number[]; counts: readonly number[] }) {
  if (counts.length === 0) return <p className="muted">Never active.</p>
  const lo = Math.max(edges[0]!, 1e-6)
  const hi = Math.max(edges[edges.length - 1]!, lo * 1.01)
  const x = scaleLog().domain([lo, hi]).range([PAD, W - 4])
  const y = scaleLinear().domain([0, Math.max(...counts)]).range([H - PAD, 6])
  return (
    <svg className="histogram" viewBox={`0 0 ${W} ${H}`} role="img" aria-label="Activation histogram" data-testid="dashboard.histogram">
      {counts.map((c, i) => {
        const x0 = x(Math.max(edges[i]!, lo))
        const x1 = x(edges[i + 1]!)
        return (
          <rect key={i} x={x0} width={Math.max(1, x1 - x0 - 0.5)} y={y(c)} height={H - PAD - y(c)} className="bar">
            <title>{`${formatAct(edges[i]!)} – ${formatAct(edges[i + 1]!)}: ${c} tokens`}</title>
          </rect>
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
  )
}
