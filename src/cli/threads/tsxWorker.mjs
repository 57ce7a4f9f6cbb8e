// Entry of every worker thread the CLI starts. Node starts workers from JavaScript, so this registers tsx (as
// bin/monoscope.mjs does for the main thread) before loading the TypeScript body named in workerData.entry (a
// file URL beside this one).
import { workerData } from 'node:worker_threads'
import { register } from 'tsx/esm/api'

register()
await import(new URL(workerData.entry, import.meta.url).href)
