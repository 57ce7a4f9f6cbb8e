// Entry of a gradient-shard worker thread. Node starts workers from JavaScript, so this registers tsx (as
// bin/monoscope.mjs does for the main thread) before loading the TypeScript worker body.
import { register } from 'tsx/esm/api'

register()
await import('./shardWorkerMain.ts')
