// Writes a model in the Hugging Face repo layout (config.json, model.safetensors, tokenizer.json,
// generation_config.json), the layout every Monoscope loader reads.
import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { writeSafetensors } from '../core/formats/safetensors.ts'
import { InvalidArgumentError } from '../core/errors.ts'
import type { HookedModel } from '../core/model/hookedModel.ts'

export async function writeModelFolder(
  dir: string,
  model: HookedModel,
  extra: { tokenizerJson?: unknown; generationConfig?: Record<string, unknown>; metadata?: Record<string, string> } = {},
): Promise<void> {
  await mkdir(dir, { recursive: true })
  const tensors = await model.exportTensors()
  if (tensors === null) throw new InvalidArgumentError(`A ${model.engine.kind} model cannot be written as safetensors`)
  const plain: Record<string, { shape: number[]; data: Float32Array }> = {}
  for (const [name, entry] of tensors) plain[name] = { shape: entry.shape, data: entry.data }
  await writeFile(path.join(dir, 'model.safetensors'), writeSafetensors(plain, { format: 'pt', ...extra.metadata }))
  await writeFile(path.join(dir, 'config.json'), `${JSON.stringify(model.configJson(), null, 2)}\n`)
  if (extra.tokenizerJson !== undefined) await writeFile(path.join(dir, 'tokenizer.json'), JSON.stringify(extra.tokenizerJson))
  if (extra.generationConfig) await writeFile(path.join(dir, 'generation_config.json'), `${JSON.stringify(extra.generationConfig, null, 2)}\n`)
}
