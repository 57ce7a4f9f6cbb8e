// Bad ONNX inputs fail fast with a typed error naming the file: not an ONNX file, a file cut short, a config whose
// shape does not match the graph, external data that points outside the folder, a config with absurd sizes.
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { selectBackend } from '../../backend/backend.ts'
import { ModelConfigError, ModelWeightsError } from '../../errors.ts'
import type { FileSource } from '../../sources/index.ts'
import { loadOnnxModel } from './loadOnnx.ts'
import { decodeOnnx, encodeOnnx } from './onnxProto.ts'

const DIR = path.resolve('test-fixtures/onnx/llama')
let bytes: Uint8Array
let config: Record<string, unknown>

function source(model: Uint8Array): FileSource {
  const self: FileSource = {
    kind: 'folder',
    description: 'test',
    fetchBytes: (file) => (file === 'onnx/model.onnx' ? Promise.resolve(model) : Promise.reject(new Error(`no ${file}`))),
    fetchText: async (file) => new TextDecoder().decode(await self.fetchBytes(file)),
    exists: (file) => Promise.resolve(file === 'onnx/model.onnx'),
    subfolder: () => self,
  }
  return self
}

beforeAll(async () => {
  await selectBackend(['wasm'])
  bytes = new Uint8Array(await readFile(path.join(DIR, 'onnx/model.onnx')))
  config = JSON.parse(await readFile(path.join(DIR, 'config.json'), 'utf8')) as Record<string, unknown>
})

describe('loadOnnxModel on bad input', () => {
  it('loads the intact file (the control)', async () => {
    const model = await loadOnnxModel(source(bytes), config, 'fp32')
    expect(model.config.hookNames.length).toBe(1 + 3 * 3 + 1)
    model.dispose()
  })

  it('refuses bytes that are not ONNX, and a file cut short, naming the file', async () => {
    await expect(loadOnnxModel(source(new TextEncoder().encode('<html>Not found</html>')), config, 'fp32')).rejects.toThrow(ModelWeightsError)
    await expect(loadOnnxModel(source(bytes.subarray(0, bytes.length >> 1)), config, 'fp32')).rejects.toThrow(/onnx\/model\.onnx/)
  })

  it('refuses a config whose shape the graph does not have', async () => {
    await expect(loadOnnxModel(source(bytes), { ...config, hidden_size: 48 }, 'fp32')).rejects.toThrow(/No token embedding found/)
    await expect(loadOnnxModel(source(bytes), { ...config, num_hidden_layers: 5 }, 'fp32')).rejects.toThrow(/residual additions/)
  })

  it('refuses absurd sizes before reading the graph, and external data outside the folder', async () => {
    await expect(loadOnnxModel(source(bytes), { ...config, num_hidden_layers: 1e8 }, 'fp32')).rejects.toThrow(ModelConfigError)
    await expect(loadOnnxModel(source(bytes), { ...config, vocab_size: -1 }, 'fp32')).rejects.toThrow(ModelConfigError)
    const model = decodeOnnx(bytes, 'x')
    const first = model.graph.initializer[0]!
    first.dataLocation = 1
    first.externalData = [{ key: 'location', value: '../../secrets' }]
    await expect(loadOnnxModel(source(encodeOnnx(model)), config, 'fp32')).rejects.toThrow(/external data/)
  })

  it('refuses NaN, infinity or 2^100 in a float initializer, naming it (the loadModel fuzz target found NaN and infinity accepted)', async () => {
    for (const value of [NaN, Infinity, -Infinity, 2 ** 100]) {
      const model = decodeOnnx(bytes, 'x')
      const weight = model.graph.initializer.find((t) => t.dataType === 1 && (t.rawData?.length ?? 0) >= 8)!
      const raw = weight.rawData!.slice()
      new DataView(raw.buffer).setFloat32(4, value, true)
      weight.rawData = raw
      await expect(loadOnnxModel(source(encodeOnnx(model)), config, 'fp32')).rejects.toThrow(`"${weight.name}" holds ${value} at flat index 1`)
    }
    // The control: a constant of the graph's arithmetic (a mask's fill value) may be -inf or float32's lowest.
    const model = decodeOnnx(bytes, 'x')
    const fill = new Uint8Array(8)
    new DataView(fill.buffer).setFloat32(0, -Infinity, true)
    new DataView(fill.buffer).setFloat32(4, -3.4028234663852886e38, true)
    model.graph.initializer.push({ name: 'mask_fill', dims: [2], dataType: 1, rawData: fill })
    const engine = await loadOnnxModel(source(encodeOnnx(model)), config, 'fp32')
    engine.dispose()
  })

  it("a graph onnxruntime refuses fails with a typed error naming the file, not onnxruntime's bare Error", async () => {
    const model = decodeOnnx(bytes, 'x')
    // An operator domain no runtime has, which only onnxruntime checks (the fuzzer's cases were names flipped in the graph).
    const softmax = model.graph.node.find((n) => n.opType === 'Softmax')!
    softmax.domain = 'org.example.nothing'
    const engine = await loadOnnxModel(source(encodeOnnx(model)), config, 'fp32')
    try {
      const run = engine.forward([[1, 2, 3]])
      await expect(run).rejects.toThrow(ModelWeightsError)
      await expect(run).rejects.toThrow(/onnx\/model\.onnx: onnxruntime .* cannot build a session on this graph/)
    } finally {
      engine.dispose()
    }
  })
})
