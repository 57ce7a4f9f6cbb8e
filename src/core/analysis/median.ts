// The median of a list of numbers (the mean of the middle two for an even count); null for an empty list.
export function median(values: readonly number[]): number | null {
  const s = [...values].sort((a, b) => a - b)
  if (s.length === 0) return null
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2
}
