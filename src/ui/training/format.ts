// Small text helpers of the training panel.
export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?'
  if (s >= 90) return `${(s / 60).toFixed(1)} min`
  return `${Math.max(0, Math.round(s))} s`
}

/** Saves bytes as a file through a temporary object URL (the browser's download). */
export function downloadBytes(fileName: string, bytes: Uint8Array, type = 'application/zip'): void {
  const url = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type }))
  const a = document.createElement('a')
  a.href = url
  a.download = fileName
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}
