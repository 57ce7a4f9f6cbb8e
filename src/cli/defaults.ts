// Where the CLI finds the embedded default model when `--model` is omitted, and the committed SAEs.
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import path from 'node:path'
import { parseSaeIndex } from '../core/analysis/saeIndex.ts'

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')

/** TinyWorld, committed in Hugging Face layout under public/ so the app and CLI work offline. */
export const defaultModelSpec = path.join(repoRoot, 'public/models/tinyworld')

/** The committed TinyWorld SAEs' folders, as public/saes/tinyworld/index.json lists them (a new one joins by itself). */
export function committedWorldSaeDirs(): string[] {
  const publicDir = path.join(repoRoot, 'public')
  const index = parseSaeIndex(JSON.parse(readFileSync(path.join(publicDir, 'saes/tinyworld/index.json'), 'utf8')))
  return index.saes.map((s) => path.join(publicDir, s.path))
}
