// Cancellation and cooperative yielding for long analysis loops, in Node and in Web Workers alike.
import { CancelledError } from '../errors.ts'

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CancelledError('Analysis cancelled')
}

/**
 * Lets queued events run. A worker only sees the 'cancel' message that aborts its signal when the event loop is
 * free, so every long loop awaits this between batches; a macrotask (not a microtask) is what lets messages in.
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0))
}

/** Awaits the event loop, then throws CancelledError if the signal fired meanwhile. */
export async function checkpoint(signal: AbortSignal | undefined): Promise<void> {
  await yieldToEventLoop()
  throwIfAborted(signal)
}
