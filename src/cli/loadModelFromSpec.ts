// One way for every CLI command to get a model: pick the backend, resolve SRC, load with progress.
import { selectBackend } from '../core/backend/backend.ts'
import { resolveSource } from '../core/sources/index.ts'
import { loadModel } from '../core/model/load.ts'
import { defaultModelSpec } from './defaults.ts'
import { createDownloadProgress } from './progress.ts'

export async function loadModelFromSpec(spec: string | undefined, opts: { verbose?: boolean } = {}) {
  const backend = await selectBackend()
  const source = resolveSource(spec ?? defaultModelSpec)
  if (opts.verbose) process.stderr.write(`monoscope: loading ${source.description} on ${backend}\n`)
  const loaded = await loadModel(source, { onProgress: createDownloadProgress(opts.verbose) })
  return { ...loaded, backend, source }
}
