// Benchmark harness: timed cases with warm-up and repeats, results as rows that any suite (tfjs backends,
// onnxruntime later, SAE training) can produce, and a writer that keeps BENCHMARKS.md current.
import os from 'node:os'
import { readFile, writeFile } from 'node:fs/promises'

export interface BenchRow {
  suite: string
  case: string
  engine: string // e.g. 'tfjs-wasm', 'tfjs-cpu', later 'onnxruntime-node'
  metric: string // e.g. 'prefill tokens/s'
  value: number
  detail: string
}

export interface Timing {
  medianMs: number
  minMs: number
  runs: number
  /** Median of this process's CPU time (user + system) per run: on a busy shared machine, far steadier than wall time. */
  medianCpuMs: number
}

/** Runs `fn` `warmup` times untimed, then `repeats` times, and reports median and min wall time. */
export async function time(fn: () => Promise<void> | void, { warmup = 1, repeats = 3 } = {}): Promise<Timing> {
  for (let i = 0; i < warmup; i++) await fn()
  const samples: number[] = []
  const cpu: number[] = []
  for (let i = 0; i < repeats; i++) {
    const c0 = process.cpuUsage()
    const t0 = performance.now()
    await fn()
    samples.push(performance.now() - t0)
    const c = process.cpuUsage(c0)
    cpu.push((c.user + c.system) / 1000)
  }
  samples.sort((a, b) => a - b)
  cpu.sort((a, b) => a - b)
  const mid = Math.floor(repeats / 2)
  return { medianMs: samples[mid] ?? NaN, minMs: samples[0] ?? NaN, runs: repeats, medianCpuMs: cpu[mid] ?? NaN }
}

export function machineDescription(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU'
  const mem = (os.totalmem() / 2 ** 30).toFixed(0)
  return `${os.cpus().length} cores (${cpu}), ${mem} GiB, Node ${process.version}, ${os.platform()} ${os.arch()}`
}

const fmt = (v: number): string => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toPrecision(3))

export function rowsToMarkdown(rows: BenchRow[]): string {
  const lines = ['| case | engine | metric | value | detail |', '| --- | --- | --- | ---: | --- |']
  for (const r of rows) lines.push(`| ${r.case} | ${r.engine} | ${r.metric} | ${fmt(r.value)} | ${r.detail} |`)
  return lines.join('\n')
}

/** Replaces the suite's section of BENCHMARKS.md (between HTML comment markers), keeping the others. */
export async function recordSuite(file: string, suite: string, title: string, intro: string, rows: BenchRow[]): Promise<void> {
  let doc = ''
  try {
    doc = await readFile(file, 'utf8')
  } catch {
    doc = '# Benchmarks\n\nProduced by `npm run bench` (see bench/). Each section records the machine and date it was measured on.\n'
  }
  const begin = `<!-- bench:${suite}:begin -->`
  const end = `<!-- bench:${suite}:end -->`
  const date = new Date().toISOString().slice(0, 10)
  const section = `${begin}\n## ${title}\n\nMeasured ${date} on ${machineDescription()}.\n\n${intro}\n\n${rowsToMarkdown(rows)}\n${end}`
  const start = doc.indexOf(begin)
  const stop = doc.indexOf(end)
  doc = start >= 0 && stop > start ? doc.slice(0, start) + section + doc.slice(stop + end.length) : `${doc.trimEnd()}\n\n${section}\n`
  await writeFile(file, doc)
}
