// Engines side by side in Chromium: the tfjs engine (tfjs-wasm) and the ONNX engine (onnxruntime-web, WASM) on
// identical weights, in the built app's model worker, with the same number of WASM threads (`?threads=`), on
// TinyWorld and on a GPT-2-small-shaped model (random weights from `monoscope random-model`, its ONNX file from
// `export-onnx`), served by the e2e tests' stand-in Hub. Engines interleave; the load average is printed per figure.
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { repoRoot } from '../committedDefault.ts'
import type { BenchRow } from '../harness.ts'
import { startPreview } from '../previewServer.ts'

export const title = 'Engines side by side in Chromium: tfjs-wasm vs onnxruntime-web, identical weights'
export const intro =
  'The built app in headless Chromium, `?backend=wasm&threads=T` (both libraries get T WASM threads), greedy decoding ' +
  'through the Generate panel: prefill = the worker\'s elapsed time for a 1-token run of the prompt (tokenizing, the ' +
  'prompt pass with every position unembedded, sampling); generation = (33-token run − 1-token run) / 32. Median of ' +
  'the repeats, after a warm-up run. Memory: resident memory (VmRSS) of the renderer process (the page, its workers, their wasm ' +
  'heaps) after the runs. The ONNX file is `export-onnx` of the same tensors; the GPT-2-small shape has random ' +
  'weights (`random-model --seed 1`) and TinyWorld\'s tokenizer padded to 50,257 tokens. Load average (1 min) beside each figure.'

const dist = path.join(repoRoot, 'dist')
const execFileAsync = promisify(execFile)
const monoscope = (args: string[]) => execFileAsync(process.execPath, [path.join(repoRoot, 'bin/monoscope.mjs'), ...args], { cwd: repoRoot, maxBuffer: 64 << 20 })

export function unmet(): string | null {
  return existsSync(path.join(dist, 'index.html')) ? null : 'it measures the built app, and dist/ has none: run `npx vite build` first'
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const load = () => `load ${os.loadavg()[0]!.toFixed(2)}`

export async function run(opts: { quick: boolean }): Promise<BenchRow[]> {
  const problem = unmet()
  if (problem) throw new Error(`browser-engines: ${problem}`)
  const { measureInBrowser } = await import('../enginesBrowser.ts')
  const { startHubServer } = await import('../../e2e/hubServer.ts')
  const dir = await mkdtemp(path.join(os.tmpdir(), 'monoscope-browser-engines-'))
  const rows: BenchRow[] = []
  try {
    const big = opts.quick ? 'tiny' : 'gpt2-small'
    await monoscope(['random-model', '--out', path.join(dir, 'big'), '--shape', big, '--seed', '1'])
    await monoscope(['export-onnx', '--model', path.join(dir, 'big'), '--out', path.join(dir, 'big-onnx')])
    await monoscope(['export-onnx', '--out', path.join(dir, 'tinyworld-onnx')])
    const hub = await startHubServer({ 'bench/big': path.join(dir, 'big'), 'bench/big-onnx': path.join(dir, 'big-onnx'), 'bench/tinyworld-onnx': path.join(dir, 'tinyworld-onnx') })
    const server = await startPreview()
    try {
      const repo = (name: string) => `${hub.url}/${name}/resolve/main`
      const words = 'Lena said the river was cold and the bridge was old . '
      const models = [
        { name: 'TinyWorld (4L d128, vocab 986)', tfjs: repo('monoscope/tinyworld'), onnx: repo('bench/tinyworld-onnx'), prompt: words.repeat(5) },
        { name: opts.quick ? 'tiny random GPT-2 (quick)' : 'GPT-2 small shape (12L d768, vocab 50,257)', tfjs: repo('bench/big'), onnx: repo('bench/big-onnx'), prompt: words.repeat(opts.quick ? 5 : 11) },
      ]
      const threads = os.cpus().length >= 2 ? 2 : 1
      for (const m of models) {
        for (const [engine, url] of [['tfjs-wasm', m.tfjs], ['onnxruntime-web', m.onnx], ['tfjs-wasm', m.tfjs], ['onnxruntime-web', m.onnx]] as const) {
          const t = await measureInBrowser(server.url, url, { threads, prompt: m.prompt, repeats: opts.quick ? 1 : 3 })
          const label = `${engine} (Chromium ${t.browserVersion}, ${threads} threads)`
          const prefill = median(t.prefillMs)
          const perToken = median(t.perTokenMs)
          process.stderr.write(`  browser-engines/${m.name}/${engine}: prefill ${prefill.toFixed(0)} ms, ${perToken.toFixed(1)} ms/token, load ${t.loadMs} ms, renderer ${(t.rendererBytes / 1e6).toFixed(0)} MB (${t.status})\n`)
          const detail = `${t.promptTokens}-token prompt; ${load()}`
          rows.push({ suite: 'browser-engines', case: `${m.name}: prefill`, engine: label, metric: 'tokens/s', value: (1000 * t.promptTokens) / prefill, detail: `${detail}; ${prefill.toFixed(0)} ms median of ${t.prefillMs.length}` })
          rows.push({ suite: 'browser-engines', case: `${m.name}: generation`, engine: label, metric: 'tokens/s', value: 1000 / perToken, detail: `${detail}; 32 greedy steps` })
          rows.push({ suite: 'browser-engines', case: `${m.name}: load`, engine: label, metric: 's', value: t.loadMs / 1000, detail: `page open to model ready, downloads from 127.0.0.1 included; ${load()}` })
          rows.push({ suite: 'browser-engines', case: `${m.name}: memory`, engine: label, metric: 'MB', value: t.rendererBytes / 1e6, detail: `resident memory (VmRSS) of the renderer process after the runs; ${load()}` })
        }
      }
    } finally {
      await server.stop()
      await hub.close()
    }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
  return rows
}
