// Check the ONNX fixtures against expected.json with onnxruntime-node (CPU binary in node_modules).
//   /usr/bin/python3 scripts/onnx-fixtures/hook_graph.py /tmp/onnx-hooks
//   node scripts/onnx-fixtures/verify.mjs /tmp/onnx-hooks
// Checks per family: prefill with an empty past reproduces the torch logits; prefill + one
// token at a time through present -> past_key_values reproduces them too; KV-cache greedy
// decoding gives expected.greedy; batch 2 works; the residual-stream tensors found by graph
// structure (hook_graph.py) equal expected.hooks; the SAE file parses and the recorded feature
// activations re-derive from the recorded hook value. (The steering logits are torch-only: that
// needs editing the residual mid-graph, which is the JS side's job.)
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ort from 'onnxruntime-node';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const hookDir = process.argv[2] ?? '/tmp/onnx-hooks';
const TOL = 2e-4;
let failures = 0;

function check(cond, msg) {
  if (!cond) { failures++; console.log('  FAIL ' + msg); } else console.log('  ok   ' + msg);
}

function maxAbsDiff(a, b) {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

function readSafetensors(file) {
  const buf = fs.readFileSync(file);
  const n = Number(buf.readBigUInt64LE(0));
  const header = JSON.parse(buf.subarray(8, 8 + n).toString('utf8'));
  const out = {};
  for (const [k, v] of Object.entries(header)) {
    if (k === '__metadata__') continue;
    const [s, e] = v.data_offsets;
    const bytes = buf.subarray(8 + n + s, 8 + n + e);
    out[k] = { shape: v.shape, dtype: v.dtype, data: new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length)) };
  }
  return out;
}

function i64(arr, dims) { return new ort.Tensor('int64', BigInt64Array.from(arr.map(BigInt)), dims); }

function feeds(cfg, ids, pastLen, past, batch = 1) {
  const seq = ids.length / batch;
  const f = {
    input_ids: i64(ids, [batch, seq]),
    attention_mask: i64(new Array(batch * (pastLen + seq)).fill(1), [batch, pastLen + seq]),
    position_ids: i64(Array.from({ length: batch * seq }, (_, i) => pastLen + (i % seq)), [batch, seq]),
  };
  for (let l = 0; l < cfg.nLayer; l++) {
    for (const kv of ['key', 'value']) {
      f[`past_key_values.${l}.${kv}`] = past
        ? past[`present.${l}.${kv}`]
        : new ort.Tensor('float32', new Float32Array(0), [batch, cfg.nKv, 0, cfg.headDim]);
    }
  }
  return f;
}

function modelShape(c) {
  const nLayer = c.n_layer ?? c.num_hidden_layers;
  const nHead = c.n_head ?? c.num_attention_heads;
  const d = c.n_embd ?? c.hidden_size;
  return { nLayer, nKv: c.num_key_value_heads ?? nHead, headDim: d / nHead, d, vocab: c.vocab_size };
}

function argmaxLast(logits, vocab) {
  const data = logits.data; const off = data.length - vocab;
  let best = 0;
  for (let i = 1; i < vocab; i++) if (data[off + i] > data[off + best]) best = i;
  return best;
}

for (const family of ['gpt2', 'llama', 'gpt_neox']) {
  console.log(family);
  const dir = path.join(root, 'test-fixtures', 'onnx', family);
  const cfg = modelShape(JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')));
  const exp = JSON.parse(fs.readFileSync(path.join(dir, 'expected.json'), 'utf8'));
  const sess = await ort.InferenceSession.create(path.join(dir, 'onnx', 'model.onnx'));
  console.log('  inputs ', sess.inputNames.join(', '));
  console.log('  outputs', sess.outputNames.join(', '));
  const prompt = exp.prompt;
  const T = prompt.length;
  const want = Float32Array.from(exp.logits.flat());

  // 1. prefill, empty past
  const full = await sess.run(feeds(cfg, prompt, 0, null));
  check(full.logits.dims.join() === [1, T, cfg.vocab].join(), `logits dims ${full.logits.dims}`);
  check(full['present.0.key'].dims.join() === [1, cfg.nKv, T, cfg.headDim].join(), `present dims ${full['present.0.key'].dims}`);
  let diff = maxAbsDiff(full.logits.data, want);
  check(diff < TOL, `prefill logits vs torch, max |diff| ${diff.toExponential(2)}`);

  // 2. prefill 3, then one at a time through the cache
  let out = await sess.run(feeds(cfg, prompt.slice(0, 3), 0, null));
  const got = Array.from(out.logits.data);
  for (let t = 3; t < T; t++) {
    out = await sess.run(feeds(cfg, [prompt[t]], t, out));
    got.push(...out.logits.data);
  }
  diff = maxAbsDiff(got, want);
  check(diff < TOL, `KV-cache logits vs torch, max |diff| ${diff.toExponential(2)}`);

  // 3. greedy decoding with the cache
  out = await sess.run(feeds(cfg, prompt, 0, null));
  const greedy = [];
  let len = T;
  for (let i = 0; i < exp.greedy.length; i++) {
    const nxt = argmaxLast(out.logits, cfg.vocab);
    greedy.push(nxt);
    out = await sess.run(feeds(cfg, [nxt], len, out));
    len++;
  }
  check(JSON.stringify(greedy) === JSON.stringify(exp.greedy), `KV greedy ${JSON.stringify(greedy)} == ${JSON.stringify(exp.greedy)}`);

  // 4. batch 2 (same prompt twice) with an empty past
  const b2 = await sess.run(feeds(cfg, [...prompt, ...prompt], 0, null, 2));
  diff = Math.max(maxAbsDiff(b2.logits.data.subarray(0, want.length), want), maxAbsDiff(b2.logits.data.subarray(want.length), want));
  check(diff < TOL, `batch 2 logits, max |diff| ${diff.toExponential(2)}`);

  // 5. residual stream found by graph structure
  const hookFile = path.join(hookDir, family + '.hooks.onnx');
  if (fs.existsSync(hookFile)) {
    const hs = await ort.InferenceSession.create(hookFile);
    const ho = await hs.run(feeds(cfg, prompt, 0, null));
    let worst = 0; let names = 0;
    for (const [name, val] of Object.entries(exp.hooks)) {
      const d = maxAbsDiff(ho[name].data, Float32Array.from(val.flat()));
      const scale = Math.max(...val.flat().map(Math.abs));
      worst = Math.max(worst, d / Math.max(1, scale));
      names++;
    }
    check(worst < TOL, `${names} hooks vs torch (graph-structure residual Adds), max rel diff ${worst.toExponential(2)}`);
  } else console.log('  skip hooks (run hook_graph.py first)');

  // 6. SAE file parses; recorded feature activations re-derive from the recorded hook value
  const sae = readSafetensors(path.join(dir, 'sae', 'sae_weights.safetensors'));
  const scfg = JSON.parse(fs.readFileSync(path.join(dir, 'sae', 'cfg.json'), 'utf8'));
  check(sae.W_enc.shape.join() === [scfg.d_in, scfg.d_sae].join() && sae.W_dec.shape.join() === [scfg.d_sae, scfg.d_in].join(), 'SAE shapes');
  const j = exp.steering.feature;
  const x = exp.hooks[scfg.hook_name];
  const acts = x.map((row) => {
    let s = sae.b_enc.data[j];
    for (let i = 0; i < scfg.d_in; i++) s += (row[i] - sae.b_dec.data[i]) * sae.W_enc.data[i * scfg.d_sae + j];
    return Math.max(0, s);
  });
  diff = maxAbsDiff(acts, exp.steering.feature_acts);
  check(diff < 1e-3, `SAE feature ${j} acts re-derived, max |diff| ${diff.toExponential(2)}; c=${exp.steering.c}`);
}

console.log(failures ? `${failures} FAILED` : 'all ok');
process.exit(failures ? 1 : 0);
