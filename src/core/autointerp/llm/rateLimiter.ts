// Keeps an LLM endpoint within its limits: at most `concurrency` requests in flight, and starts at least
// `minIntervalMs` apart (hosted APIs bill and throttle per minute; a local server may only take one at a time).
import { CancelledError } from '../../errors.ts'

export interface RateLimits {
  concurrency: number
  minIntervalMs: number
}

export interface RateLimiter {
  /** Runs `task` when a slot is free and the interval has passed; waiting is cancelled by `signal`. */
  run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T>
}

/** Waits `ms`, or rejects with CancelledError as soon as `signal` aborts. */
export function cancellableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new CancelledError())
    const onAbort = () => {
      clearTimeout(timer)
      reject(new CancelledError())
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, Math.max(0, ms))
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

export function createRateLimiter(limits: RateLimits): RateLimiter {
  const concurrency = Math.max(1, Math.floor(limits.concurrency))
  let active = 0
  let nextStart = 0
  const waiting: Array<() => void> = []

  const release = () => {
    active--
    waiting.shift()?.()
  }

  /** Resolves once this caller holds a slot; a cancelled waiter leaves the queue without taking one. */
  const acquire = (signal?: AbortSignal): Promise<void> =>
    new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(new CancelledError())
      if (active < concurrency) {
        active++
        return resolve()
      }
      const onAbort = () => {
        const at = waiting.indexOf(grant)
        if (at >= 0) waiting.splice(at, 1)
        reject(new CancelledError())
      }
      const grant = () => {
        signal?.removeEventListener('abort', onAbort)
        active++
        resolve()
      }
      waiting.push(grant)
      signal?.addEventListener('abort', onAbort, { once: true })
    })

  return {
    async run(task, signal) {
      await acquire(signal)
      try {
        // Re-check after every wake: callers that wake together (or late, on a busy machine) still start an interval apart.
        for (let now = Date.now(); now < nextStart; now = Date.now()) await cancellableSleep(nextStart - now, signal)
        nextStart = Date.now() + limits.minIntervalMs
        return await task()
      } finally {
        release()
      }
    },
  }
}
