// The model's forward passes over a corpus, issued in corpus order to a runner that may finish them in any order,
// and taken back in corpus order. Taking "until n rows have arrived" always yields the same passes in the same
// order, however many passes run at once or were issued ahead, so whatever consumes them (a harvest, the
// activation store's refills) sees exactly what a one-pass-at-a-time loop sees.
import type { TokenWindows } from './activationStore.ts'

/** Computes one pass's activations [rows, dIn] (row-major, window order, BOS skipped as asked) off this thread. */
export interface PassRunner {
  readonly size: number
  run(windows: number[][]): Promise<Float32Array>
}

/** One pass as the queue hands it back. */
export interface TakenPass {
  /** [rows · dIn] */
  data: Float32Array
  rows: number
  /** The corpus's read-throughs once this pass's windows were cut. */
  epochs: number
}

interface IssuedPass {
  result: Promise<Float32Array>
  rows: number
  epochs: number
}

export interface PassQueueOptions {
  windows: TokenWindows
  windowsPerPass: number
  skipBos: boolean
  /** Passes running at once (a runner's threads). */
  size: number
  run: (windows: number[][]) => Promise<Float32Array>
}

export class PassQueue {
  private readonly issued: IssuedPass[] = [] // issued, not yet taken, in corpus order
  private issuedRows = 0 // rows of `issued`
  private running = 0
  private wanted = 0 // rows the current take still waits for
  private ahead = 0 // rows to keep issued ahead of any take

  constructor(private readonly o: PassQueueOptions) {}

  /**
   * Hands passes to `take` in corpus order until `needed` rows have arrived. New passes are issued only while the
   * rows issued and not yet taken fall short, up to `size` running at once.
   */
  async take(needed: number, take: (pass: TakenPass) => void): Promise<void> {
    let arrived = 0
    this.ahead = 0 // what ran ahead is this take's first passes; running further ahead is the caller's next call
    try {
      while (arrived < needed) {
        this.wanted = needed - arrived
        this.pump()
        const next = this.issued[0]! // counted as issued until it arrives, so the pump never issues past `needed`
        const data = await next.result
        this.issued.shift()
        this.issuedRows -= next.rows
        take({ data, rows: next.rows, epochs: next.epochs })
        arrived += next.rows
      }
    } finally {
      this.wanted = 0
    }
  }

  /**
   * Keeps passes running while nothing is taken, until `rows` rows are issued ahead (until the next take starts):
   * the next take finds them done.
   * Worth it only when the runner works off this thread (otherwise the passes would compete with the taker).
   */
  prefetch(rows: number): void {
    this.ahead = rows
    this.pump()
  }

  /** Waits for every issued pass to settle (a failure included), so none outlives its consumer unobserved. */
  async settle(): Promise<void> {
    this.ahead = 0
    await Promise.allSettled(this.issued.map((p) => p.result))
  }

  private pump(): void {
    while (this.running < this.o.size && this.issuedRows < Math.max(this.wanted, this.ahead)) this.issueOne()
  }

  private issueOne(): void {
    const windows = this.o.windows.next(this.o.windowsPerPass)
    const rows = windows.reduce((sum, w) => sum + w.length - (this.o.skipBos ? 1 : 0), 0)
    const result = Promise.resolve().then(() => this.o.run(windows)) // a runner that throws fails like one that rejects
    this.running++
    const done = () => {
      this.running--
      try {
        this.pump() // a thread is free: the next pass starts without waiting for the one at the head to be taken
      } catch {
        // cutting windows failed: the next take's own pump throws it where it can be caught
      }
    }
    result.then(done, done) // a failure is thrown where the pass is taken, in order
    this.issued.push({ result, rows, epochs: this.o.windows.epochs })
    this.issuedRows += rows
  }
}

/** Runs passes until `needed` rows have arrived, handing each pass's rows to `take` in corpus order. */
export async function runPassesInOrder(o: PassQueueOptions & { needed: number; take: (rows: Float32Array) => void }): Promise<void> {
  const queue = new PassQueue(o)
  try {
    await queue.take(o.needed, (pass) => o.take(pass.data))
  } finally {
    await queue.settle()
  }
}
