// Download and work progress on stderr, so stdout stays clean JSON or text for pipes.
import type { ProgressEvent } from '../core/sources/index.ts'

const formatBytes = (n: number): string =>
  n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MiB` : n >= 1 << 10 ? `${(n / (1 << 10)).toFixed(1)} KiB` : `${n} B`

/** A throttled one-line progress printer; silent when stderr is not a terminal unless `verbose`. */
export function createDownloadProgress(verbose = false): (e: ProgressEvent) => void {
  const tty = process.stderr.isTTY === true
  let lastPrint = 0
  return (e) => {
    if (!tty && !verbose) return
    const now = Date.now()
    const done = e.total !== null && e.loaded >= e.total
    if (!done && now - lastPrint < 100) return
    lastPrint = now
    const pct = e.total ? ` ${((100 * e.loaded) / e.total).toFixed(0)}%` : ''
    const line = `  ${e.file}: ${formatBytes(e.loaded)}${e.total ? ` / ${formatBytes(e.total)}` : ''}${pct}`
    process.stderr.write(tty ? `\r${line.padEnd(70)}${done ? '\n' : ''}` : `${line}\n`)
  }
}
