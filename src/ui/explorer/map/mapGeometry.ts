// Geometry for the feature map, pure so it is tested and stays fast at 20k+ points: a view transform (pan/zoom),
// a uniform grid over screen positions for hover and click, and a synthetic layout for tests and benchmarks.

export interface View {
  /** Screen px = (data − center) · scale + size / 2. */
  cx: number
  cy: number
  scale: number
}

export interface MapPoints {
  x: Float32Array
  y: Float32Array
  /** Which SAE of the map each point belongs to. */
  sae: Int32Array
  index: Int32Array
}

export function fitView(points: Pick<MapPoints, 'x' | 'y'>, width: number, height: number, margin = 16): View {
  let minX = Infinity
  let maxX = -Infinity
  let minY = Infinity
  let maxY = -Infinity
  for (let i = 0; i < points.x.length; i++) {
    const x = points.x[i]!
    const y = points.y[i]!
    if (x < minX) minX = x
    if (x > maxX) maxX = x
    if (y < minY) minY = y
    if (y > maxY) maxY = y
  }
  if (!Number.isFinite(minX)) return { cx: 0, cy: 0, scale: 1 }
  const spanX = Math.max(maxX - minX, 1e-9)
  const spanY = Math.max(maxY - minY, 1e-9)
  const scale = Math.min((width - 2 * margin) / spanX, (height - 2 * margin) / spanY)
  return { cx: (minX + maxX) / 2, cy: (minY + maxY) / 2, scale: Math.max(scale, 1e-9) }
}

/** Zooms by `factor` keeping the data point under (sx, sy) in place. */
export function zoomAt(view: View, factor: number, sx: number, sy: number, width: number, height: number): View {
  const dx = (sx - width / 2) / view.scale + view.cx
  const dy = (sy - height / 2) / view.scale + view.cy
  const scale = view.scale * factor
  return { scale, cx: dx - (sx - width / 2) / scale, cy: dy - (sy - height / 2) / scale }
}

export function panBy(view: View, dxPx: number, dyPx: number): View {
  return { ...view, cx: view.cx - dxPx / view.scale, cy: view.cy - dyPx / view.scale }
}

/** Screen positions of every point: [2n] interleaved x, y. */
export function project(points: Pick<MapPoints, 'x' | 'y'>, view: View, width: number, height: number, out = new Float32Array(points.x.length * 2)): Float32Array {
  const hw = width / 2
  const hh = height / 2
  for (let i = 0; i < points.x.length; i++) {
    out[2 * i] = (points.x[i]! - view.cx) * view.scale + hw
    out[2 * i + 1] = (points.y[i]! - view.cy) * view.scale + hh
  }
  return out
}

export interface ScreenGrid {
  cell: number
  cols: number
  rows: number
  /** Bucket b's points are order[start[b] … start[b+1]). */
  start: Int32Array
  order: Int32Array
}

/** Buckets on-screen points by cell (counting sort: O(n)); off-screen points are left out. */
export function buildGrid(screen: Float32Array, width: number, height: number, cell = 16): ScreenGrid {
  const cols = Math.max(1, Math.ceil(width / cell))
  const rows = Math.max(1, Math.ceil(height / cell))
  const n = screen.length / 2
  const bucket = new Int32Array(n).fill(-1)
  const counts = new Int32Array(cols * rows + 1)
  for (let i = 0; i < n; i++) {
    const c = Math.floor(screen[2 * i]! / cell)
    const r = Math.floor(screen[2 * i + 1]! / cell)
    if (c < 0 || r < 0 || c >= cols || r >= rows) continue
    bucket[i] = r * cols + c
    counts[bucket[i]! + 1]!++
  }
  for (let b = 1; b < counts.length; b++) counts[b]! += counts[b - 1]!
  const start = counts.slice()
  const fill = counts.slice(0, -1)
  const order = new Int32Array(start[start.length - 1]!)
  for (let i = 0; i < n; i++) if (bucket[i]! >= 0) order[fill[bucket[i]!]!++] = i
  return { cell, cols, rows, start, order }
}

/** The point nearest (sx, sy) within `radius` px, or -1. */
export function nearestPoint(grid: ScreenGrid, screen: Float32Array, sx: number, sy: number, radius = 8): number {
  let best = -1
  let bestD = radius * radius
  const c0 = Math.floor((sx - radius) / grid.cell)
  const c1 = Math.floor((sx + radius) / grid.cell)
  const r0 = Math.floor((sy - radius) / grid.cell)
  const r1 = Math.floor((sy + radius) / grid.cell)
  for (let r = Math.max(0, r0); r <= Math.min(grid.rows - 1, r1); r++) {
    for (let c = Math.max(0, c0); c <= Math.min(grid.cols - 1, c1); c++) {
      const b = r * grid.cols + c
      for (let k = grid.start[b]!; k < grid.start[b + 1]!; k++) {
        const i = grid.order[k]!
        const dx = screen[2 * i]! - sx
        const dy = screen[2 * i + 1]! - sy
        const d = dx * dx + dy * dy
        if (d <= bestD) {
          bestD = d
          best = i
        }
      }
    }
  }
  return best
}

/** Seeded clustered points (mulberry32), for the map's synthetic mode (`#/map?synthetic=20000`). */
export function syntheticPoints(n: number, seed = 1, saes = 2): MapPoints {
  let s = seed >>> 0
  const rand = () => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const centers = Array.from({ length: 24 }, () => [rand() * 20 - 10, rand() * 20 - 10] as const)
  const out: MapPoints = { x: new Float32Array(n), y: new Float32Array(n), sae: new Int32Array(n), index: new Int32Array(n) }
  const per = Math.ceil(n / saes)
  for (let i = 0; i < n; i++) {
    const [cx, cy] = centers[Math.floor(rand() * centers.length)]!
    const r = Math.sqrt(-2 * Math.log(rand() + 1e-12))
    const a = 2 * Math.PI * rand()
    out.x[i] = cx + 0.8 * r * Math.cos(a)
    out.y[i] = cy + 0.8 * r * Math.sin(a)
    out.sae[i] = Math.floor(i / per)
    out.index[i] = i % per
  }
  return out
}
