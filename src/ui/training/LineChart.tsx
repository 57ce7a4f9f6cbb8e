// One live training curve: an SVG line drawn with d3-scale and d3-shape (React owns the DOM, d3 does the maths).
import { scaleLinear } from 'd3-scale'
import { line } from 'd3-shape'

export interface ChartPoint {
  x: number
  y: number
}

const W = 240
const H = 110
const M = { top: 8, right: 8, bottom: 18, left: 44 }

export function LineChart({ title, metric, points, format }: { title: string; metric: string; points: ChartPoint[]; format: (v: number) => string }) {
  const finite = points.filter((p) => Number.isFinite(p.y))
  const xs = finite.map((p) => p.x)
  const ys = finite.map((p) => p.y)
  const x = scaleLinear()
    .domain([Math.min(0, ...xs), Math.max(1, ...xs)])
    .range([M.left, W - M.right])
  const yMin = Math.min(...ys)
  const yMax = Math.max(...ys)
  const y = scaleLinear()
    .domain(finite.length ? [Math.min(0, yMin), yMax === yMin ? yMax + 1 : yMax] : [0, 1])
    .nice(3)
    .range([H - M.bottom, M.top])
  const path = line<ChartPoint>()
    .x((p) => x(p.x))
    .y((p) => y(p.y))(finite)
  const last = finite.at(-1)
  const [y0, y1] = y.domain() as [number, number]
  return (
    // First and last values as data: tests (and the curious) can check a curve falls without reading pixels.
    <figure className="train-chart" data-testid="train.chart" data-metric={metric} data-points={finite.length} data-first={finite[0]?.y} data-last={last?.y}>
      <figcaption>
        {title} <span className="mono">{last ? format(last.y) : '–'}</span>
      </figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`${title} over training steps${last ? `, now ${format(last.y)}` : ''}`}>
        <line x1={M.left} x2={W - M.right} y1={H - M.bottom} y2={H - M.bottom} className="axis" />
        <line x1={M.left} x2={M.left} y1={M.top} y2={H - M.bottom} className="axis" />
        <text x={M.left - 4} y={M.top + 8} textAnchor="end" className="tick">
          {format(y1)}
        </text>
        <text x={M.left - 4} y={H - M.bottom} textAnchor="end" className="tick">
          {format(y0)}
        </text>
        <text x={W - M.right} y={H - 4} textAnchor="end" className="tick">
          step {Math.max(1, ...xs)}
        </text>
        {path && <path d={path} className="curve" />}
      </svg>
    </figure>
  )
}
