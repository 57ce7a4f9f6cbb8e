// The committed default as the benchmarks see it: TinyWorld's model folder and the SAEs that
// public/saes/tinyworld/index.json lists, loaded through the index so no suite depends on one SAE size.
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { parseSaeIndex, saesBySize, type SaeIndex, type SaeIndexEntry } from '../src/core/analysis/saeIndex.ts'
import { loadModel, type LoadedModel } from '../src/core/model/load.ts'
import type { Sae } from '../src/core/sae/sae.ts'
import { loadSaeLens } from '../src/core/sae/saelens.ts'
import { resolveSource } from '../src/core/sources/index.ts'

export const repoRoot = path.resolve(import.meta.dirname, '..')
/** Relative to an app root (public/ here, dist/ once built): the index paths are relative to it too. */
export const DEFAULT_INDEX = 'saes/tinyworld/index.json'

export async function readSaeIndex(appRoot: string): Promise<SaeIndex> {
  return parseSaeIndex(JSON.parse(await readFile(path.join(appRoot, DEFAULT_INDEX), 'utf8')))
}

export interface CommittedDefault {
  index: SaeIndex
  loaded: LoadedModel
  /** The index's largest SAE (ties: lowest id), the one whose analysis costs most. */
  entry: SaeIndexEntry
  sae: Sae
  /** The index's other SAEs on the same hook: the explorer build gives each analysis their neighbours too. */
  others: { id: string; sae: Sae }[]
  dispose: () => void
}

/** Loads on the current tfjs backend; the caller disposes. */
export async function loadCommittedDefault(appRoot = path.join(repoRoot, 'public')): Promise<CommittedDefault> {
  const index = await readSaeIndex(appRoot)
  const entry = saesBySize(index).at(-1)!
  const loaded = await loadModel(resolveSource(path.join(appRoot, index.model)))
  const saes: Sae[] = []
  try {
    const load = async (e: SaeIndexEntry) => {
      const { sae } = await loadSaeLens(resolveSource(path.join(appRoot, e.path)))
      saes.push(sae)
      return sae
    }
    const sae = await load(entry)
    const others: CommittedDefault['others'] = []
    for (const e of index.saes) if (e.id !== entry.id && e.hook_name === entry.hook_name) others.push({ id: e.id, sae: await load(e) })
    const dispose = () => {
      for (const s of saes) s.dispose()
      loaded.model.dispose()
    }
    return { index, loaded, entry, sae, others, dispose }
  } catch (err) {
    for (const s of saes) s.dispose()
    loaded.model.dispose()
    throw err
  }
}
