// Training checkpoints on disk: parameters and optimizer moments as safetensors plus a JSON state file,
// written to a temporary folder and renamed, so a crash mid-write never leaves a half checkpoint.
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import path from 'node:path'
import { readSafetensors, writeSafetensors, type TensorEntry } from '../core/formats/safetensors.ts'
import { readJsonFile } from './jsonFile.ts'

export interface CheckpointData<S> {
  params: Map<string, TensorEntry>
  optimizer: Map<string, TensorEntry>
  state: S
}

const toPlain = (m: Map<string, TensorEntry>) => Object.fromEntries([...m].map(([k, e]) => [k, { shape: e.shape, data: e.data }]))

export async function saveCheckpoint<S>(dir: string, data: CheckpointData<S>): Promise<void> {
  const tmp = `${dir}.tmp`
  await rm(tmp, { recursive: true, force: true })
  await mkdir(tmp, { recursive: true })
  await writeFile(path.join(tmp, 'params.safetensors'), writeSafetensors(toPlain(data.params)))
  await writeFile(path.join(tmp, 'optimizer.safetensors'), writeSafetensors(toPlain(data.optimizer)))
  await writeFile(path.join(tmp, 'state.json'), JSON.stringify(data.state))
  await rm(dir, { recursive: true, force: true })
  await rename(tmp, dir)
}

export async function loadCheckpoint<S>(dir: string): Promise<CheckpointData<S> | null> {
  if (!existsSync(path.join(dir, 'state.json'))) return null
  const params = readSafetensors(new Uint8Array(await readFile(path.join(dir, 'params.safetensors')))).tensors
  const optimizer = readSafetensors(new Uint8Array(await readFile(path.join(dir, 'optimizer.safetensors')))).tensors
  const state = (await readJsonFile(path.join(dir, 'state.json'))) as S
  return { params, optimizer, state }
}
