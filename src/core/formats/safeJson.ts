// JSON in, JSON-ish text out, safely for any input. V8's JSON.parse is iterative and takes any nesting, but
// JSON.stringify, zod and hand-written walkers recurse: a 67-character share link nesting `[[[[…` once overflowed
// the stack inside the code building an error message. So every reader parses through `parseJsonChecked`, which
// refuses documents nested deeper than INPUT_LIMITS.jsonDepth, and every message quotes values via `describeValue`.
import { INPUT_LIMITS } from '../limits.ts'

/**
 * Parses `text`, calling `fail` (which throws the reader's own typed error) when it is not JSON or nests deeper
 * than `maxDepth`. The depth walk is iterative, so it is safe on the deepest document JSON.parse accepts.
 */
export function parseJsonChecked(text: string, fail: (detail: string) => never, maxDepth: number = INPUT_LIMITS.jsonDepth): unknown {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (err) {
    return fail(`not valid JSON (${err instanceof Error ? err.message : String(err)})`)
  }
  if (jsonDepth(value, maxDepth) > maxDepth) fail(`JSON nested more than ${maxDepth} levels deep`)
  return value
}

/** Nesting depth of a parsed JSON value (a scalar is 0, `[]` is 1), counted up to `cap + 1` and no further. */
export function jsonDepth(value: unknown, cap: number = INPUT_LIMITS.jsonDepth): number {
  let deepest = 0
  const stack: Array<[unknown, number]> = [[value, 0]]
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!
    if (typeof v !== 'object' || v === null) continue
    const here = depth + 1
    if (here > deepest) deepest = here
    if (deepest > cap) return deepest
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (typeof child === 'object' && child !== null) stack.push([child, here])
    }
  }
  return deepest
}

/**
 * A short description of any value for an error message: JSON-like, at most `maxChars` characters, nesting shown
 * two levels deep. Never throws (cycles, getters, BigInt, deep nesting), unlike JSON.stringify.
 */
export function describeValue(value: unknown, maxChars = 80): string {
  let text: string
  try {
    text = describe(value, 2, maxChars)
  } catch {
    text = Object.prototype.toString.call(value)
  }
  return text.length > maxChars ? `${text.slice(0, maxChars - 1)}…` : text
}

function describe(value: unknown, depth: number, budget: number): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value.length > budget ? value.slice(0, budget) : value)
    case 'number':
    case 'boolean':
      return String(value)
    case 'bigint':
      return `${value}n`
    case 'undefined':
      return 'undefined'
    case 'function':
    case 'symbol':
      return typeof value
  }
  if (value === null) return 'null'
  const isArray = Array.isArray(value)
  if (depth === 0) return isArray ? '[…]' : '{…}'
  const parts: string[] = []
  let used = 2
  const entries: Array<[string | null, unknown]> = isArray
    ? (value as unknown[]).slice(0, 16).map((v) => [null, v])
    : Object.keys(value as object).slice(0, 16).map((k) => [k, (value as Record<string, unknown>)[k]])
  const total = isArray ? (value as unknown[]).length : Object.keys(value as object).length
  for (const [key, v] of entries) {
    const part = (key === null ? '' : `${JSON.stringify(key.slice(0, 40))}:`) + describe(v, depth - 1, budget)
    used += part.length + 1
    parts.push(part)
    if (used > budget) break
  }
  if (parts.length < total) parts.push('…')
  return isArray ? `[${parts.join(',')}]` : `{${parts.join(',')}}`
}
