// `monoscope export-onnx`: a tfjs-engine model (TinyWorld, or one trained in the app) written as an ONNX decoder in
// the transformers.js layout, so it runs in the ONNX engine, in transformers.js and in onnxruntime anywhere.
import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { InvalidArgumentError, SourceNotFoundError } from '../../core/errors.ts'
import { parseGpt2Config } from '../../core/model/config.ts'
import { EXPORT_DTYPES, gpt2ToOnnx, type ExportDtype } from '../../core/model/onnx/exportGpt2.ts'
import { ONNX_VARIANTS } from '../../core/model/onnx/loadOnnx.ts'
import { loadModelFromSpec } from '../loadModelFromSpec.ts'
import { describeValue } from '../../core/formats/safeJson.ts'

export const exportOnnxUsage = `monoscope export-onnx [--model SRC] --out DIR [--dtype fp32,fp16,q8,int8,q4]
  Writes DIR/config.json, tokenizer.json, generation_config.json and the ONNX decoder (opset 17, with
  past_key_values inputs) in each dtype asked for, as transformers.js names them: onnx/model.onnx (fp32, the
  default), model_fp16.onnx (float16 throughout, inputs and outputs included), model_quantized.onnx (q8: uint8
  weights, dynamic quantization), model_int8.onnx (int8 weights) and model_q4.onnx (q4: MatMulNBits, 4-bit weights in
  blocks of 32, symmetric). Needs a GPT-2 with safetensors weights.`

/** The --dtype list: known names, each once. */
export function parseExportDtypes(text: string | undefined): ExportDtype[] {
  const names = (text ?? 'fp32').split(',').map((n) => n.trim()).filter((n) => n !== '')
  const unknown = names.filter((n) => !(EXPORT_DTYPES as readonly string[]).includes(n))
  if (unknown.length > 0 || names.length === 0) throw new InvalidArgumentError(`--dtype takes a comma-separated list of ${EXPORT_DTYPES.join(', ')}; got ${describeValue(text)}`)
  return [...new Set(names as ExportDtype[])]
}

export async function exportOnnxCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { model: { type: 'string' }, out: { type: 'string' }, dtype: { type: 'string' }, verbose: { type: 'boolean', short: 'v', default: false } }, strict: true })
  if (!values.out) throw new InvalidArgumentError('Say where to write the export: --out DIR')
  const dtypes = parseExportDtypes(values.dtype)
  const { model, source } = await loadModelFromSpec(values.model, { verbose: values.verbose })
  try {
    const weights = await model.exportTensors()
    if (weights === null) throw new InvalidArgumentError(`This model runs on the ${model.engine.kind} engine already; export-onnx converts tfjs-engine (safetensors) models`)
    const configJson = model.configJson()
    const config = parseGpt2Config(configJson)
    await mkdir(path.join(values.out, 'onnx'), { recursive: true })
    for (const dtype of dtypes) {
      const bytes = gpt2ToOnnx(config, weights, dtype)
      await writeFile(path.join(values.out, ONNX_VARIANTS[dtype]), bytes)
      process.stderr.write(`export-onnx: ${path.join(values.out, ONNX_VARIANTS[dtype])} (${dtype}, ${(bytes.length / 1e6).toFixed(1)} MB)\n`)
    }
    await writeFile(path.join(values.out, 'config.json'), `${JSON.stringify(configJson, null, 2)}\n`)
    for (const file of ['tokenizer.json', 'tokenizer_config.json', 'generation_config.json']) {
      try {
        await writeFile(path.join(values.out, file), await source.fetchBytes(file))
      } catch (err) {
        if (!(err instanceof SourceNotFoundError)) throw err
      }
    }
  } finally {
    model.dispose()
  }
}
