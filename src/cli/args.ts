// Small, strict parsers for CLI flag values: a typo fails with a message naming the flag.
import { InvalidArgumentError } from '../core/errors.ts'

export function parseIntFlag(name: string, value: string | undefined, fallback: number, min = -Infinity): number {
  if (value === undefined) return fallback
  const n = Number(value)
  if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`--${name} must be an integer${min > -Infinity ? ` ≥ ${min}` : ''}, got "${value}"`)
  return n
}

export function parseFloatFlag(name: string, value: string | undefined, fallback: number, min = -Infinity, max = Infinity): number {
  if (value === undefined) return fallback
  const n = Number(value)
  if (!Number.isFinite(n) || n < min || n > max) throw new InvalidArgumentError(`--${name} must be a number in [${min}, ${max}], got "${value}"`)
  return n
}

export function parseIdList(value: string): number[] {
  const parts = value.split(',').map((s) => s.trim()).filter((s) => s.length > 0)
  if (parts.length === 0) throw new InvalidArgumentError('--ids needs at least one token id, e.g. --ids 5,17,42')
  return parts.map((p) => {
    const n = Number(p)
    if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`--ids: "${p}" is not a non-negative integer token id`)
    return n
  })
}

export function parseNameList(value: string | undefined): string[] {
  if (value === undefined) return []
  return value.split(',').map((s) => s.trim()).filter((s) => s.length > 0)
}
