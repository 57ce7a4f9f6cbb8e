// The pass queue hands back passes in corpus order, exactly those a one-pass-at-a-time loop takes, whatever order
// the runner finishes them in, however many run at once and however far it runs ahead.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { TokenWindows } from './activationStore.ts'
import { PassQueue, runPassesInOrder } from './passQueue.ts'

/** Windows of `len` tokens whose first token is the window's number: a pass's rows say which windows it ran. */
function numberedWindows(len: number, perEpoch: number): TokenWindows {
  let n = 0
  return {
    next: (count) => Array.from({ length: count }, () => [n++, ...Array<number>(len - 1).fill(0)]),
    get epochs() {
      return Math.floor(n / perEpoch)
    },
  }
}

/** A runner answering each pass (one row per window, the window's number) after a delay drawn from `delays`. */
function delayedRunner(size: number, delays: readonly number[]) {
  let calls = 0
  let inFlight = 0
  let most = 0
  return {
    size,
    get calls() {
      return calls
    },
    get most() {
      return most
    },
    async run(windows: number[][]): Promise<Float32Array> {
      const delay = delays[calls++ % delays.length]!
      inFlight++
      most = Math.max(most, inFlight)
      await new Promise((resolve) => setTimeout(resolve, delay))
      inFlight--
      return Float32Array.from(windows, (w) => w[0]!)
    },
  }
}

const options = (runner: ReturnType<typeof delayedRunner>, windowsPerPass: number) => ({
  windows: numberedWindows(2, 5),
  windowsPerPass,
  skipBos: true, // one row a window
  size: runner.size,
  run: (w: number[][]) => runner.run(w),
})

describe('PassQueue', () => {
  it('takes the same rows in the same order as a one-at-a-time loop, with any runner, takes and prefetches', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 3 }),
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 6 }),
        fc.array(fc.record({ needed: fc.integer({ min: 1, max: 9 }), ahead: fc.integer({ min: 0, max: 12 }) }), { minLength: 1, maxLength: 5 }),
        async (size, windowsPerPass, delays, steps) => {
          const runner = delayedRunner(size, delays)
          const queue = new PassQueue(options(runner, windowsPerPass))
          const got: number[] = []
          const epochs: number[] = []
          let expectedPasses = 0
          for (const { needed, ahead } of steps) {
            await queue.take(needed, (p) => {
              got.push(...p.data)
              epochs.push(p.epochs)
            })
            expectedPasses += Math.ceil(needed / windowsPerPass) // a sequential loop takes whole passes until it has enough
            queue.prefetch(ahead)
          }
          await queue.settle()
          expect(got).toEqual(Array.from({ length: expectedPasses * windowsPerPass }, (_, i) => i))
          // Each pass's epoch count is the one its own windows were cut at, not the queue's position since.
          expect(epochs).toEqual(Array.from({ length: expectedPasses }, (_, i) => Math.floor(((i + 1) * windowsPerPass) / 5)))
          expect(runner.most).toBeLessThanOrEqual(size)
        },
      ),
      { numRuns: 40 },
    )
  })

  it('issues nothing past what a take needs, and runs up to `size` passes at once', async () => {
    const runner = delayedRunner(3, [3, 2, 1])
    const rows: number[] = []
    await runPassesInOrder({ ...options(runner, 2), needed: 11, take: (d) => rows.push(...d) })
    expect(rows).toEqual(Array.from({ length: 12 }, (_, i) => i)) // six passes of two rows
    expect(runner.calls).toBe(6)
    expect(runner.most).toBe(3)
  })

  it('runs ahead while nothing is taken, and the next take uses those passes first', async () => {
    const runner = delayedRunner(2, [1])
    const queue = new PassQueue(options(runner, 2))
    await queue.take(4, () => {})
    expect(runner.calls).toBe(2)
    queue.prefetch(6)
    await new Promise((resolve) => setTimeout(resolve, 30))
    expect(runner.calls, 'three passes ahead, issued while nothing waited').toBe(5)
    const rows: number[] = []
    await queue.take(6, (p) => rows.push(...p.data))
    expect(rows).toEqual([4, 5, 6, 7, 8, 9])
    expect(runner.calls, 'the take needed no new pass').toBe(5)
  })

  it('throws a failed pass where it is taken, in order, after the passes before it', async () => {
    let calls = 0
    const rows: number[] = []
    const run = async (w: number[][]) => {
      if (calls++ === 2) throw new Error('thread lost')
      return Float32Array.from(w, (x) => x[0]!)
    }
    await expect(runPassesInOrder({ windows: numberedWindows(2, 5), windowsPerPass: 1, skipBos: true, size: 3, run, needed: 5, take: (d) => rows.push(...d) })).rejects.toThrow(/thread lost/)
    expect(rows).toEqual([0, 1])
  })
})
