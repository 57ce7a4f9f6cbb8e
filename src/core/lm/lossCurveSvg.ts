// Renders training curves as a standalone SVG string (d3-scale/d3-shape need no DOM), for reports.
import { scaleLinear, scaleLog } from 'd3-scale'
import { line } from 'd3-shape'

export interface Series {
  label: string
  colour: string
  points: Array<[number, number]> // [step, value]
  /** false: no markers for this series even when the chart has them (a fitted line drawn through sample points). */
  markers?: boolean
}

const escapeXml = (s: string): string => s.replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`)

export function renderCurvesSvg(series: Series[], opts: { title: string; xLabel: string; yLabel: string; logX?: boolean; logY?: boolean; yDomain?: [number, number]; markers?: boolean; width?: number; height?: number; yDecadeLabels?: boolean }): string {
  const width = opts.width ?? 720
  const height = opts.height ?? 420
  const m = { top: 36, right: 150, bottom: 48, left: 64 }
  const all = series.flatMap((s) => s.points).filter(([px, py]) => Number.isFinite(py) && (!opts.logY || py > 0) && (!opts.logX || px > 0))
  const xMax = Math.max(1, ...all.map(([px]) => px))
  const xMin = Math.min(...all.map(([px]) => px))
  const yMin = Math.min(...all.map(([, y]) => y))
  const yMax = Math.max(...all.map(([, y]) => y))
  const x = (opts.logX ? scaleLog().domain([xMin / 1.5, xMax * 1.5]) : scaleLinear().domain([0, xMax])).range([m.left, width - m.right])
  const y = (opts.yDomain ? scaleLinear().domain(opts.yDomain) : opts.logY ? scaleLog().domain([yMin * 0.9, yMax * 1.1]) : scaleLinear().domain([Math.min(0, yMin), yMax * 1.05]))
    .range([height - m.bottom, m.top])
    .nice()
  const path = line<[number, number]>()
    .x(([px]) => x(px))
    .y(([, py]) => y(py))
  // A log axis offers several ticks per decade; label only the powers of ten.
  const xTickValues = opts.logX ? x.ticks(6).filter((t) => Math.abs(Math.log10(t) - Math.round(Math.log10(t))) < 1e-9) : x.ticks(6)
  const xTicks = xTickValues.map((t) => `<g transform="translate(${x(t)},${height - m.bottom})"><line y2="5" stroke="#444"/><text y="18" text-anchor="middle">${opts.logX ? t.toExponential(0) : t}</text></g>`)
  // A log axis over several decades offers a crowd of ticks; yDecadeLabels keeps only the powers of ten.
  const yTickValues = opts.logY && opts.yDecadeLabels ? y.ticks(6).filter((t) => Math.abs(Math.log10(t) - Math.round(Math.log10(t))) < 1e-9) : y.ticks(6)
  const yTicks = yTickValues.map((t) => `<g transform="translate(${m.left},${y(t)})"><line x2="-5" stroke="#444"/><line x2="${width - m.left - m.right}" stroke="#eee"/><text x="-8" dy="0.32em" text-anchor="end">${+t.toPrecision(3)}</text></g>`)
  const visible = (s: Series) => s.points.filter(([px, py]) => Number.isFinite(py) && (!opts.logY || py > 0) && (!opts.logX || px > 0))
  const lines = series.map((s) => `<path d="${path(visible(s)) ?? ''}" fill="none" stroke="${s.colour}" stroke-width="1.6"/>`)
  if (opts.markers) lines.push(...series.filter((s) => s.markers !== false).flatMap((s) => visible(s).map(([px, py]) => `<circle cx="${x(px).toFixed(1)}" cy="${y(py).toFixed(1)}" r="3" fill="${s.colour}"/>`)))
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
