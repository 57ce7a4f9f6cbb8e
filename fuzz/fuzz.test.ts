// The bounded fuzz run inside `npm test`: a few dozen fast-check cases per reader, in process, each of which must
// end in acceptance or a typed Monoscope error (never a TypeError, RangeError or library error), and every
// "must refuse" case refused. `npm run fuzz` runs 10,000 per reader with hang and memory accounting (FUZZ.md).
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { applyCase, caseArbitrary } from './mutations.ts'
import { READERS } from './readers.ts'
import { runCase } from './runCase.ts'

const CASES_PER_READER = 60

describe('fuzzing every reader (bounded)', () => {
  for (const reader of READERS) {
    it(`${reader.name}: typed errors only, and every must-refuse case refused`, async () => {
      const seeds = await reader.seeds()
      for (const [i, seed] of seeds.entries()) expect((await runCase(reader, seed.bytes, i)).outcome, 'the seed itself must load').toBe('accepted')
      for (const must of reader.mustRefuse) {
        const result = await runCase(reader, await must.make(seeds[must.seed ?? 0]!), must.seed ?? 0)
        expect({ case: must.name, ...result, ms: undefined }).toEqual({ case: must.name, outcome: 'typed', ms: undefined })
      }
      await fc.assert(
        fc.asyncProperty(caseArbitrary(seeds.length, seeds.some((s) => s.json !== undefined)), async (c) => {
          const result = await runCase(reader, await applyCase(seeds, c), c.seed)
          expect(result.outcome === 'untyped' ? result.detail : 'ok').toBe('ok')
        }),
        { numRuns: CASES_PER_READER, seed: 14 },
      )
    })
  }
})
