// Where the CLI finds the embedded default model when `--model` is omitted.
import { fileURLToPath } from 'node:url'
import path from 'node:path'

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')

/** TinyWorld, committed in Hugging Face layout under public/ so the app and CLI work offline. */
export const defaultModelSpec = path.join(repoRoot, 'public/models/tinyworld')
