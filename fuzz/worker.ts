// Runs a slice of one reader's cases in a worker thread, posting one message per case, so the parent can time
// each case, kill a case that hangs, and restart after it.
import { parentPort, workerData } from 'node:worker_threads'
import fc from 'fast-check'
import { applyCase, caseArbitrary } from './mutations.ts'
import { READERS } from './readers.ts'
import { runCase } from './runCase.ts'

export interface WorkerJob {
  reader: number
  /** fast-check seed: the same seed gives the same cases. */
  seed: number
  from: number
  to: number
}

export type WorkerMessage =
  | { type: 'start'; index: number }
  | { type: 'done'; index: number; outcome: string; ms: number; rss: number; detail?: string }
  | { type: 'must'; name: string; outcome: string; ms: number; detail?: string }
  | { type: 'finished' }

const job = workerData as WorkerJob
const post = (m: WorkerMessage) => parentPort!.postMessage(m)
const reader = READERS[job.reader]!
const seeds = await reader.seeds()
if (job.from === 0) {
  for (const must of reader.mustRefuse) {
    const result = await runCase(reader, await must.make(seeds[must.seed ?? 0]!), must.seed ?? 0)
    post({ type: 'must', name: must.name, ...result })
  }
}
const cases = fc.sample(caseArbitrary(seeds.length, seeds.some((s) => s.json !== undefined)), { seed: job.seed, numRuns: job.to })
for (let i = job.from; i < job.to; i++) {
  post({ type: 'start', index: i })
  const result = await runCase(reader, await applyCase(seeds, cases[i]!), cases[i]!.seed)
  post({ type: 'done', index: i, ...result, rss: process.memoryUsage().rss })
}
post({ type: 'finished' })
