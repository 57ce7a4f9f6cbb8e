// `monoscope export-onnx`: a tfjs-engine model (TinyWorld, or one trained in the app) written as an ONNX decoder in
// the transformers.js layout, so it runs in the ONNX engine, in transformers.js and in onnxruntime anywhere.
import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { InvalidArgumentError, SourceNotFoundError } from '../../core/errors.ts'
import { parseGpt2Config } from '../../core/model/config.ts'
import { gpt2ToOnnx } from '../../core/model/onnx/exportGpt2.ts'
import { ONNX_VARIANTS } from '../../core/model/onnx/loadOnnx.ts'
import { loadModelFromSpec } from '../loadModelFromSpec.ts'

export const exportOnnxUsage = `monoscope export-onnx [--model SRC] --out DIR
  Writes DIR/config.json, tokenizer.json, generation_config.json and onnx/model.onnx (float32, opset 17, with
  past_key_values inputs): the same model as an ONNX decoder. Needs a GPT-2 with safetensors weights.`

export async function exportOnnxCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { model: { type: 'string' }, out: { type: 'string' }, verbose: { type: 'boolean', short: 'v', default: false } }, strict: true })
  if (!values.out) throw new InvalidArgumentError('Say where to write the export: --out DIR')
  const { model, source } = await loadModelFromSpec(values.model, { verbose: values.verbose })
  try {
    const weights = await model.exportTensors()
    if (weights === null) throw new InvalidArgumentError(`This model runs on the ${model.engine.kind} engine already; export-onnx converts tfjs-engine (safetensors) models`)
    const configJson = model.configJson()
    const bytes = gpt2ToOnnx(parseGpt2Config(configJson), weights)
    await mkdir(path.join(values.out, 'onnx'), { recursive: true })
    await writeFile(path.join(values.out, ONNX_VARIANTS.fp32), bytes)
    await writeFile(path.join(values.out, 'config.json'), `${JSON.stringify(configJson, null, 2)}\n`)
    for (const file of ['tokenizer.json', 'tokenizer_config.json', 'generation_config.json']) {
      try {
        await writeFile(path.join(values.out, file), await source.fetchBytes(file))
      } catch (err) {
        if (!(err instanceof SourceNotFoundError)) throw err
      }
    }
    process.stderr.write(`export-onnx: ${path.join(values.out, ONNX_VARIANTS.fp32)} (${(bytes.length / 1e6).toFixed(1)} MB)\n`)
  } finally {
    model.dispose()
  }
}
