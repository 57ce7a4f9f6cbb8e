// One fuzz case through one reader, classified: accepted, refused with a typed Monoscope error, or an untyped
// crash (any other throw: a TypeError, a RangeError from the stack or a Map, a library's own error).
import { MonoscopeError } from '../src/core/errors.ts'
import type { FuzzReader } from './readers.ts'

export type Outcome = 'accepted' | 'typed' | 'untyped'

export interface CaseResult {
  outcome: Outcome
  ms: number
  /** The error's class and message for untyped crashes (what a report needs to reproduce it). */
  detail?: string
}

/** `seed`: which of the reader's seeds the bytes were made from (a folder reader puts them in that seed's file). */
export async function runCase(reader: FuzzReader, bytes: Uint8Array, seed = 0): Promise<CaseResult> {
  const start = performance.now()
  try {
    await reader.read(bytes, seed)
    return { outcome: 'accepted', ms: performance.now() - start }
  } catch (err) {
    const ms = performance.now() - start
    if (err instanceof MonoscopeError) return { outcome: 'typed', ms }
    const detail = err instanceof Error ? `${err.constructor.name}: ${err.message.slice(0, 200)}` : String(err).slice(0, 200)
    return { outcome: 'untyped', ms, detail }
  }
}
