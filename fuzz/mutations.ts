// Mutations as small fast-check values, applied to a reader's seed: byte-level damage for any format, and
// structural edits (a hostile value at any path, a deleted or added key) for JSON formats. Cases are descriptors,
// not bytes, so case i of a run can be regenerated from the seed alone after a hang restarts the worker.
import fc from 'fast-check'
import type { Seed } from './readers.ts'

export type Mutation =
  | { kind: 'flip'; at: number; mask: number; count: number }
  | { kind: 'insert'; at: number; bytes: number[] }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'overwrite-u64'; at: number; value: bigint }
  | { kind: 'json-set'; path: number; value: number }
  | { kind: 'json-delete'; path: number }
  | { kind: 'json-add'; path: number; key: string; value: number }

export interface FuzzCase {
  seed: number
  mutations: Mutation[]
}

const deep = (n: number): unknown => JSON.parse(`${'['.repeat(n)}${']'.repeat(n)}`)

/** Values that broke readers in the fuzzing pass behind issue 14, plus the usual suspects. */
export const HOSTILE_VALUES: readonly (() => unknown)[] = [
  () => 1e8,
  () => 1e300,
  () => -1,
  () => 0,
  () => 2 ** 31,
  () => 2 ** 32 - 1,
  () => 2 ** 53 + 2,
  () => 1.5,
  () => -0.5,
  () => '',
  () => 'x'.repeat(100_000),
  () => null,
  () => true,
  () => [],
  () => ({}),
  () => deep(3_000),
  () => [1e8, 1e8, 1e8],
  () => ({ Regex: '(a+)+$' }),
  () => 'NaN',
  () => '../../etc/passwd',
]

const position = fc.nat({ max: 1_000_000 })

const byteMutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: position, mask: fc.integer({ min: 1, max: 255 }), count: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: position, bytes: fc.array(fc.nat({ max: 255 }), { minLength: 1, maxLength: 16 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: position, length: fc.integer({ min: 1, max: 64 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: position }),
  fc.record({
    kind: fc.constant('overwrite-u64' as const),
    at: position,
    value: fc.constantFrom(0n, 1n, 2n ** 31n, 2n ** 32n - 1n, 2n ** 53n, 2n ** 63n, 2n ** 64n - 1n),
  }),
)

const jsonMutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('json-set' as const), path: position, value: fc.nat({ max: HOSTILE_VALUES.length - 1 }) }),
  fc.record({ kind: fc.constant('json-delete' as const), path: position }),
  fc.record({
    kind: fc.constant('json-add' as const),
    path: position,
    key: fc.constantFrom('scale_attn_weights', 'tie_word_embeddings', 'n_layer', 'unknown_field', '__proto__', 'constructor', 'd_sae', 'vocab', 'format'),
    value: fc.nat({ max: HOSTILE_VALUES.length - 1 }),
  }),
)

/** Cases for a reader with `seedCount` seeds; JSON formats get structural mutations as well as byte damage. */
export function caseArbitrary(seedCount: number, jsonSeeds: boolean): fc.Arbitrary<FuzzCase> {
  const mutation = jsonSeeds ? fc.oneof({ arbitrary: jsonMutation, weight: 3 }, { arbitrary: byteMutation, weight: 1 }) : byteMutation
  return fc.record({ seed: fc.nat({ max: seedCount - 1 }), mutations: fc.array(mutation, { minLength: 1, maxLength: 3 }) })
}

/** Applies a case's mutations to its seed: JSON edits first (on the value), then byte damage (on the encoding). */
export async function applyCase(seeds: Seed[], c: FuzzCase): Promise<Uint8Array> {
  const seed = seeds[c.seed]!
  let bytes = seed.bytes
  const structural = c.mutations.filter((m) => m.kind.startsWith('json-'))
  if (structural.length > 0 && seed.json !== undefined && seed.encode) {
    let value: unknown = structuredClone(seed.json)
    for (const m of structural) value = editJson(value, m)
    bytes = await seed.encode(value)
  }
  for (const m of c.mutations) if (!m.kind.startsWith('json-')) bytes = damage(bytes, m)
  return bytes
}

function damage(bytes: Uint8Array, m: Mutation): Uint8Array {
  const at = bytes.length === 0 ? 0 : 'at' in m ? m.at % (bytes.length + 1) : 0
  switch (m.kind) {
    case 'flip': {
      const out = bytes.slice()
      for (let i = 0; i < m.count && out.length > 0; i++) out[(at + i * 7919) % out.length]! ^= m.mask
      return out
    }
    case 'insert': {
      const out = new Uint8Array(bytes.length + m.bytes.length)
      out.set(bytes.subarray(0, at))
      out.set(m.bytes, at)
      out.set(bytes.subarray(at), at + m.bytes.length)
      return out
    }
    case 'delete': {
      const out = new Uint8Array(bytes.length - Math.min(m.length, bytes.length - at))
      out.set(bytes.subarray(0, at))
      out.set(bytes.subarray(at + m.length), at)
      return out
    }
    case 'truncate':
      return bytes.slice(0, at)
    case 'overwrite-u64': {
      // Lengths and offsets are 64-bit in safetensors and zip64: the first 8 bytes most of all.
      const out = bytes.slice()
      const where = at % 3 === 0 ? 0 : Math.min(at, Math.max(0, out.length - 8))
      if (out.length >= where + 8) new DataView(out.buffer).setBigUint64(where, m.value, true)
      return out
    }
    default:
      return bytes
  }
}

/** Every path in `value` (objects and arrays), breadth first and capped so huge vocabularies stay cheap. */
function paths(value: unknown, cap = 4_000): (string | number)[][] {
  const out: (string | number)[][] = [[]]
  const queue: [unknown, (string | number)[]][] = [[value, []]]
  for (let next = 0; next < queue.length && out.length < cap; next++) {
    const [v, p] = queue[next]!
    if (typeof v !== 'object' || v === null) continue
    const keys: (string | number)[] = Array.isArray(v) ? v.slice(0, 50).map((_, i) => i) : Object.keys(v).slice(0, 200)
    for (const k of keys) {
      const child = [...p, k]
      out.push(child)
      queue.push([(v as Record<string | number, unknown>)[k], child])
    }
  }
  return out
}

function editJson(value: unknown, m: Mutation): unknown {
  if (!('path' in m)) return value
  const all = paths(value)
  const target = all[m.path % all.length]!
  const hostile = 'value' in m ? HOSTILE_VALUES[m.value]!() : undefined
  if (target.length === 0) return m.kind === 'json-set' ? hostile : value
  let parent = value as Record<string | number, unknown>
  for (const k of target.slice(0, -1)) parent = parent[k] as Record<string | number, unknown>
  const last = target.at(-1)!
  if (typeof parent !== 'object' || parent === null) return value
  if (m.kind === 'json-set') parent[last] = hostile
  else if (m.kind === 'json-delete') {
    if (Array.isArray(parent)) parent.splice(Number(last), 1)
    else delete parent[last]
  } else if (m.kind === 'json-add') {
    const holder = typeof parent[last] === 'object' && parent[last] !== null && !Array.isArray(parent[last]) ? (parent[last] as Record<string, unknown>) : parent
    if (!Array.isArray(holder)) Object.defineProperty(holder, m.key, { value: hostile, enumerable: true, writable: true, configurable: true })
  }
  return value
}
