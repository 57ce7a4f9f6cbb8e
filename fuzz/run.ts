// `npm run fuzz`: N cases per reader (10,000 by default), each reader in a worker thread the parent watches, so a
// case that hangs is killed, counted, and the run goes on after it. Writes the table to FUZZ.md.
//   npm run fuzz -- [--cases N] [--reader substring] [--seed S] [--out FILE]
import { writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { Worker } from 'node:worker_threads'
import { READERS } from './readers.ts'
import type { WorkerJob, WorkerMessage } from './worker.ts'

const SLOW_MS = 5_000
/** A case still running after this long is killed and counted as a hang (it is already "over 5 s"). */
const HANG_MS = 30_000
const MEMORY_LIMIT = 1024 ** 3

interface Tally {
  reader: string
  cases: number
  accepted: number
  typed: number
  untyped: number
  slow: number
  hangs: number
  overMemory: number
  maxMs: number
  peakRss: number
  untypedExamples: string[]
  mustRefuse: { name: string; outcome: string }[]
}

const { values } = parseArgs({
  options: { cases: { type: 'string', default: '10000' }, reader: { type: 'string' }, seed: { type: 'string', default: '14' }, out: { type: 'string', default: 'FUZZ.md' } },
})
const cases = Number(values.cases)
const seed = Number(values.seed)
const root = path.resolve(import.meta.dirname, '..')

function runReader(index: number): Promise<Tally> {
  const tally: Tally = { reader: READERS[index]!.name, cases, accepted: 0, typed: 0, untyped: 0, slow: 0, hangs: 0, overMemory: 0, maxMs: 0, peakRss: 0, untypedExamples: [], mustRefuse: [] }
  const baseline = process.memoryUsage().rss
  return new Promise((resolve, reject) => {
    const start = (from: number) => {
      const job: WorkerJob = { reader: index, seed, from, to: cases }
      const worker = new Worker(new URL('./workerBoot.mjs', import.meta.url), { workerData: job })
      let current = -1
      let watchdog: ReturnType<typeof setTimeout> | null = null
      let finished = false
      worker.on('message', (m: WorkerMessage) => {
        if (m.type === 'start') {
          current = m.index
          if (watchdog) clearTimeout(watchdog)
          watchdog = setTimeout(() => {
            tally.hangs++
            tally.slow++
            tally.untypedExamples.push(`case ${current}: still running after ${HANG_MS / 1000} s (killed)`)
            finished = true
            void worker.terminate().then(() => (current + 1 < cases ? start(current + 1) : resolve(tally)))
          }, HANG_MS)
        } else if (m.type === 'done') {
          if (watchdog) clearTimeout(watchdog)
          tally[m.outcome as 'accepted' | 'typed' | 'untyped']++
          if (m.outcome === 'untyped' && tally.untypedExamples.length < 5) tally.untypedExamples.push(`case ${m.index}: ${m.detail}`)
          if (m.ms > SLOW_MS) tally.slow++
          tally.maxMs = Math.max(tally.maxMs, m.ms)
          tally.peakRss = Math.max(tally.peakRss, m.rss - baseline)
          if (m.rss - baseline > MEMORY_LIMIT) tally.overMemory++
          if ((m.index + 1) % 1000 === 0) process.stderr.write(`  ${tally.reader}: ${m.index + 1}/${cases}\n`)
        } else if (m.type === 'must') {
          tally.mustRefuse.push({ name: m.name, outcome: m.outcome === 'typed' ? 'refused' : m.outcome === 'accepted' ? 'ACCEPTED' : `crashed (${m.detail})` })
        } else if (m.type === 'finished') {
          finished = true
          if (watchdog) clearTimeout(watchdog)
          void worker.terminate().then(() => resolve(tally))
        }
      })
      worker.on('error', (err) => {
        if (watchdog) clearTimeout(watchdog)
        if (finished) return
        finished = true
        // Out of memory in the worker counts against the case it was running; the run goes on after it.
        if (current >= 0) {
          tally.untyped++
          tally.overMemory += /memory/i.test(err.message) ? 1 : 0
          tally.untypedExamples.push(`case ${current}: the worker died: ${err.message.slice(0, 160)}`)
          if (current + 1 < cases) start(current + 1)
          else resolve(tally)
        } else reject(err)
      })
    }
    start(0)
  })
}

const chosen = READERS.map((r, i) => ({ r, i })).filter(({ r }) => !values.reader || r.name.includes(values.reader))
const started = Date.now()
const tallies: Tally[] = []

const mb = (b: number) => `${Math.max(0, b / 1024 ** 2).toFixed(0)} MB`
function report(): string {
  const rows = tallies.map(
    (t) =>
      `| ${t.reader} | ${t.cases} | ${t.typed} | ${t.accepted} | ${t.untyped} | ${t.slow} | ${t.overMemory} | ${t.mustRefuse.filter((m) => m.outcome !== 'refused').length} of ${t.mustRefuse.length} | ${t.maxMs.toFixed(0)} ms | ${mb(t.peakRss)} |`,
  )
  return `# Fuzzing the readers

\`npm run fuzz\` (fuzz/run.ts) sends ${cases.toLocaleString('en-US')} mutated inputs to each reader, fast-check seed ${seed}: byte damage (flips, insertions,
deletions, truncation, 64-bit lengths overwritten) for every format, and structural edits (a hostile value such as
\`1e8\`, \`2^31\`, \`1.5\`, a 100,000-character string or JSON nested 3,000 deep at any path; keys deleted or added) for JSON
formats. Each reader runs in a worker thread: a case still running after ${HANG_MS / 1000} s is killed and counted. "Must refuse" cases are
mutations no reader may accept (a shifted safetensors file, NaN weights, an unimplemented config field, a CRC
mismatch, a bomb), run once each. The two "model folder" targets put each case in one file of a model folder (config.json,
the weights, tokenizer.json, tokenizer_config.json, generation_config.json), run the whole \`loadModel\` on it, then one
forward step (for ONNX, onnxruntime-node builds its session and runs it), which must give finite logits.

Measured on ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'CPU'}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}; the whole run took ${((Date.now() - started) / 60000).toFixed(1)} min.
Memory is the process's resident size after each case, above its size before the reader started (sampled, so a
spike freed within one case can be missed; a worker dying of memory counts as over 1 GB).

| reader | cases | typed errors | accepted | untyped crashes | over 5 s | over 1 GB | must-refuse accepted or crashed | slowest case | peak memory |
|---|---|---|---|---|---|---|---|---|---|
${rows.join('\n')}

${tallies
  .filter((t) => t.untypedExamples.length > 0 || t.mustRefuse.some((m) => m.outcome !== 'refused'))
  .map((t) => `**${t.reader}**: ${[...t.untypedExamples, ...t.mustRefuse.filter((m) => m.outcome !== 'refused').map((m) => `must refuse "${m.name}": ${m.outcome}`)].join('; ')}`)
  .join('\n\n') || 'No untyped crashes, hangs or must-refuse acceptances.'}

Must-refuse cases: ${tallies.map((t) => `${t.reader}: ${t.mustRefuse.map((m) => `${m.name} (${m.outcome})`).join(', ') || 'none'}`).join('; ')}.
${tallies.length < chosen.length ? `\n(Partial: ${tallies.length} of ${chosen.length} readers so far.)\n` : ''}`
}

// The report is rewritten after each reader, so a long run that is stopped still leaves its figures.
for (const { r, i } of chosen) {
  const t0 = Date.now()
  process.stderr.write(`${r.name}…\n`)
  tallies.push(await runReader(i))
  process.stderr.write(`  done in ${((Date.now() - t0) / 1000).toFixed(0)} s\n`)
  await writeFile(path.resolve(root, values.out!), report())
}
process.stdout.write(report())
