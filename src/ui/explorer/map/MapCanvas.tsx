// The map's canvas: draws every point (and optionally family links) with pan (drag), zoom (wheel), hover and
// click. Points are batched by colour, so 20k+ points draw in a few ms; a grid finds the point under the cursor.
import { useEffect, useMemo, useRef, useState } from 'react'
import { buildGrid, fitView, nearestPoint, panBy, project, zoomAt, type MapPoints, type View } from './mapGeometry.ts'

export interface MapCanvasProps {
  points: MapPoints
  colours: readonly string[]
  links: { from: number[]; to: number[] } | null
  label: (point: number) => string
  onOpen: (point: number) => void
  height?: number
}

export function MapCanvas({ points, colours, links, label, onOpen, height = 560 }: MapCanvasProps) {
  const canvasRef = useRef<HTMLCanvasElement>(null)
  const [width, setWidth] = useState(800)
  const [view, setView] = useState<View | null>(null)
  const [hover, setHover] = useState<{ point: number; x: number; y: number } | null>(null)
  const [drawn, setDrawn] = useState({ points: 0, ms: 0 })
  const drag = useRef<{ x: number; y: number; moved: boolean } | null>(null)

  useEffect(() => {
    const el = canvasRef.current?.parentElement
    if (!el) return
    const observer = new ResizeObserver(() => setWidth(Math.max(200, Math.floor(el.clientWidth))))
    observer.observe(el)
    return () => observer.disconnect()
  }, [])
  useEffect(() => setView(fitView(points, width, height)), [points, width, height])

  const screen = useMemo(() => (view ? project(points, view, width, height) : null), [points, view, width, height])
  const grid = useMemo(() => (screen ? buildGrid(screen, width, height) : null), [screen, width, height])
  const byColour = useMemo(() => {
    const groups = new Map<string, number[]>()
    colours.forEach((c, i) => {
      const list = groups.get(c)
      if (list) list.push(i)
      else groups.set(c, [i])
    })
    return groups
  }, [colours])

  useEffect(() => {
    const canvas = canvasRef.current
    if (!canvas || !screen) return
    const started = performance.now()
    const dpr = window.devicePixelRatio || 1
    canvas.width = width * dpr
    canvas.height = height * dpr
    const ctx = canvas.getContext('2d')!
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0)
    ctx.clearRect(0, 0, width, height)
    if (links && links.from.length > 0) {
      ctx.strokeStyle = 'rgba(120, 120, 140, 0.25)'
      ctx.lineWidth = 0.6
      ctx.beginPath()
      for (let k = 0; k < links.from.length; k++) {
        const a = links.from[k]!
        const b = links.to[k]!
        ctx.moveTo(screen[2 * a]!, screen[2 * a + 1]!)
        ctx.lineTo(screen[2 * b]!, screen[2 * b + 1]!)
      }
      ctx.stroke()
    }
    const size = view && view.scale > 40 ? 4 : 2.5
    let count = 0
    for (const [colour, list] of byColour) {
      ctx.fillStyle = colour
      for (const i of list) {
        ctx.fillRect(screen[2 * i]! - size / 2, screen[2 * i + 1]! - size / 2, size, size)
        count++
      }
    }
    if (hover) {
      ctx.strokeStyle = '#000'
      ctx.lineWidth = 1.5
      ctx.strokeRect(screen[2 * hover.point]! - 5, screen[2 * hover.point + 1]! - 5, 10, 10)
    }
    setDrawn({ points: count, ms: performance.now() - started })
  }, [screen, byColour, links, hover, width, height, view])

  const at = (event: { clientX: number; clientY: number }) => {
    const rect = canvasRef.current!.getBoundingClientRect()
    return { x: event.clientX - rect.left, y: event.clientY - rect.top }
  }
  const pick = (x: number, y: number) => (grid && screen ? nearestPoint(grid, screen, x, y, 8) : -1)
  // A test hook: where the first point is on screen, so e2e tests can click a real point.
  const sample = screen && screen.length >= 2 ? `${screen[0]!.toFixed(1)},${screen[1]!.toFixed(1)}` : ''

  return (
    <div className="map-wrap">
      <canvas
        ref={canvasRef}
        className="map-canvas"
        style={{ width: `${width}px`, height: `${height}px` }}
        data-testid="map.canvas"
        data-points={points.x.length}
        data-drawn={drawn.points}
        data-draw-ms={drawn.ms.toFixed(1)}
        data-sample-point={sample}
        tabIndex={0}
        aria-label={`Feature map with ${points.x.length} points: drag to pan, wheel to zoom, click a point to open it`}
        onWheel={(e) => {
          if (!view) return
          const p = at(e)
          setView(zoomAt(view, Math.exp(-e.deltaY * 0.0015), p.x, p.y, width, height))
        }}
        onPointerDown={(e) => {
          drag.current = { ...at(e), moved: false }
          e.currentTarget.setPointerCapture(e.pointerId)
        }}
        onPointerMove={(e) => {
          const p = at(e)
          if (drag.current && view && e.buttons & 1) {
            const dx = p.x - drag.current.x
            const dy = p.y - drag.current.y
            if (Math.abs(dx) + Math.abs(dy) > 2) drag.current = { ...p, moved: true }
            if (drag.current.moved) setView(panBy(view, dx, dy))
            return
          }
          const point = pick(p.x, p.y)
          setHover(point >= 0 ? { point, x: p.x, y: p.y } : null)
        }}
        onPointerUp={(e) => {
          const wasDrag = drag.current?.moved
          drag.current = null
          if (wasDrag) return
          const p = at(e)
          const point = pick(p.x, p.y)
          if (point >= 0) onOpen(point)
        }}
        onPointerLeave={() => setHover(null)}
      />
      {hover && (
        <div className="map-tooltip" style={{ left: hover.x + 12, top: hover.y + 12 }} data-testid="map.tooltip">
          {label(hover.point)}
        </div>
      )}
      <button type="button" className="secondary map-reset" onClick={() => setView(fitView(points, width, height))}>
        Reset view
      </button>
    </div>
  )
}
