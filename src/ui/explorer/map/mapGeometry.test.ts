// Map geometry: the fitted view puts every point on screen, zoom keeps the point under the cursor, and the grid's
// nearest-point search equals a brute-force scan on 20k synthetic points.
import { describe, expect, it } from 'vitest'
import { buildGrid, fitView, nearestPoint, panBy, project, syntheticPoints, zoomAt } from './mapGeometry.ts'

const W = 800
const H = 600

describe('map geometry', () => {
  const points = syntheticPoints(20_000, 7)

  it('fits every point on screen', () => {
    const screen = project(points, fitView(points, W, H), W, H)
    for (let i = 0; i < screen.length; i += 2) {
      expect(screen[i]).toBeGreaterThanOrEqual(15.9)
      expect(screen[i]).toBeLessThanOrEqual(W - 15.9)
      expect(screen[i + 1]).toBeGreaterThanOrEqual(0)
      expect(screen[i + 1]).toBeLessThanOrEqual(H)
    }
    expect(buildGrid(screen, W, H).order.length).toBe(20_000)
  })

  it('zooms about the cursor and pans by pixels', () => {
    const view = fitView(points, W, H)
    const before = project(points, view, W, H)
    const zoomed = project(points, zoomAt(view, 3, before[0]!, before[1]!, W, H), W, H)
    expect(zoomed[0]).toBeCloseTo(before[0]!, 3)
    expect(zoomed[1]).toBeCloseTo(before[1]!, 3)
    const panned = project(points, panBy(view, 10, -5), W, H)
    expect(panned[2]! - before[2]!).toBeCloseTo(10, 3)
    expect(panned[3]! - before[3]!).toBeCloseTo(-5, 3)
  })

  it('finds the nearest point as a brute-force scan does', () => {
    const screen = project(points, zoomAt(fitView(points, W, H), 4, 400, 300, W, H), W, H)
    const grid = buildGrid(screen, W, H)
    for (let t = 0; t < 200; t++) {
      const sx = (t * 37) % W
      const sy = (t * 53) % H
      let best = -1
      let bestD = 64
      for (let i = 0; i < screen.length / 2; i++) {
        const d = (screen[2 * i]! - sx) ** 2 + (screen[2 * i + 1]! - sy) ** 2
        if (d <= bestD && screen[2 * i]! >= 0 && screen[2 * i]! < W && screen[2 * i + 1]! >= 0 && screen[2 * i + 1]! < H) {
          if (d < bestD || i > best) best = i
          bestD = d
        }
      }
      const found = nearestPoint(grid, screen, sx, sy, 8)
      if (best < 0) expect(found).toBe(-1)
      else expect((screen[2 * found]! - sx) ** 2 + (screen[2 * found + 1]! - sy) ** 2).toBeCloseTo(bestD, 5)
    }
  })
})
