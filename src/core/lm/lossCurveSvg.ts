// Renders training curves as a standalone SVG string (d3-scale/d3-shape need no DOM), for reports.
import { scaleLinear, scaleLog } from 'd3-scale'
import { line } from 'd3-shape'

export interface Series {
  label: string
  colour: string
  points: Array<[number, number]> // [step, value]
}

const escapeXml = (s: string): string => s.replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`)

export function renderCurvesSvg(series: Series[], opts: { title: string; xLabel: string; yLabel: string; logY?: boolean; width?: number; height?: number }): string {
  const width = opts.width ?? 720
  const height = opts.height ?? 420
  const m = { top: 36, right: 150, bottom: 48, left: 64 }
  const all = series.flatMap((s) => s.points).filter(([, y]) => Number.isFinite(y) && (!opts.logY || y > 0))
  const xMax = Math.max(1, ...all.map(([x]) => x))
  const yMin = Math.min(...all.map(([, y]) => y))
  const yMax = Math.max(...all.map(([, y]) => y))
  const x = scaleLinear().domain([0, xMax]).range([m.left, width - m.right])
  const y = (opts.logY ? scaleLog().domain([yMin * 0.9, yMax * 1.1]) : scaleLinear().domain([Math.min(0, yMin), yMax * 1.05]))
    .range([height - m.bottom, m.top])
    .nice()
  const path = line<[number, number]>()
    .x(([px]) => x(px))
    .y(([, py]) => y(py))
  const xTicks = x.ticks(6).map((t) => `<g transform="translate(${x(t)},${height - m.bottom})"><line y2="5" stroke="#444"/><text y="18" text-anchor="middle">${t}</text></g>`)
  const yTicks = y.ticks(6).map((t) => `<g transform="translate(${m.left},${y(t)})"><line x2="-5" stroke="#444"/><line x2="${width - m.left - m.right}" stroke="#eee"/><text x="-8" dy="0.32em" text-anchor="end">${+t.toPrecision(3)}</text></g>`)
  const lines = series.map((s) => `<path d="${path(s.points.filter(([, py]) => Number.isFinite(py) && (!opts.logY || py > 0))) ?? ''}" fill="none" stroke="${s.colour}" stroke-width="1.6"/>`)
  const legend = series.map((s, i) => `<g transform="translate(${width - m.right + 12},${m.top + 18 * i})"><rect width="12" height="3" y="-2" fill="${s.colour}"/><text x="18" dy="0.32em">${escapeXml(s.label)}</text></g>`)
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">
<rect width="100%" height="100%" fill="white"/>
<text x="${m.left}" y="20" font-size="14" font-weight="bold">${escapeXml(opts.title)}</text>
${yTicks.join('\n')}
${xTicks.join('\n')}
<line x1="${m.left}" x2="${width - m.right}" y1="${height - m.bottom}" y2="${height - m.bottom}" stroke="#444"/>
<line x1="${m.left}" x2="${m.left}" y1="${m.top}" y2="${height - m.bottom}" stroke="#444"/>
${lines.join('\n')}
${legend.join('\n')}
<text x="${(m.left + width - m.right) / 2}" y="${height - 10}" text-anchor="middle">${escapeXml(opts.xLabel)}</text>
<text transform="translate(16,${(m.top + height - m.bottom) / 2}) rotate(-90)" text-anchor="middle">${escapeXml(opts.yLabel)}</text>
</svg>
`
}
