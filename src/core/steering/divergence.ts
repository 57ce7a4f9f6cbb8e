// Where two token streams part. Its own file (no tfjs) so the UI can mark the divergence without pulling tfjs in.

/** First index where a and b differ (the shorter length when one is a prefix of the other); null when equal. */
export function divergenceIndex(a: readonly number[], b: readonly number[]): number | null {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i
  return a.length === b.length ? null : n
}
