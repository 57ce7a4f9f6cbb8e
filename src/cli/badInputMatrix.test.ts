// Bad input to every command, in process (main() as bin/monoscope.mjs calls it): each exits 2 with one line that
// names the problem and its code, never 1 with a stack trace. badInput.test.ts runs the real binary on the cases
// that once printed stack traces; this table covers each command's flags and sources more widely, cheaply.
import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { main } from './main.ts'

const sae = 'public/saes/tinyworld/blocks.2.hook_resid_post/standard-1024'
let dir = ''
const missing = () => path.join(dir, 'does-not-exist')

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'monoscope-bad-matrix-'))
  // A sparse 300 MiB text file: its size is on disk in an instant, and it must be refused before it is read.
  await writeFile(path.join(dir, 'huge.txt'), '')
  await truncate(path.join(dir, 'huge.txt'), 300 * 2 ** 20)
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

/** Runs main() with stdout and stderr captured; the exit code and what stderr got. */
async function runCli(argv: string[]): Promise<{ code: number; stderr: string }> {
  let stderr = ''
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += typeof chunk === 'string' ? chunk : new TextDecoder().decode(chunk)
    return true
  })
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true)
  try {
    return { code: await main(argv), stderr }
  } finally {
    err.mockRestore()
    out.mockRestore()
  }
}

// [argv (with {missing} and {dir} filled in), what stderr must say]
const CASES: [string[], RegExp][] = [
  [['run', '--model', '{missing}', '--ids', '1', '--json'], /does-not-exist/],
  [['run', '--ids', '1,abc', '--json'], /--ids/],
  [['run', '--ids', '99999999', '--json'], /99999999/],
  [['run', '--text', 'the cat', '--hooks', 'blocks.99.hook_resid_pre', '--json'], /blocks\.99\.hook_resid_pre/],
  [['run', '--ids', '1', '--json', '--frobnicate'], /frobnicate/],
  [['generate', '--prompt', 'the cat', '--max-tokens', '-3'], /max-tokens/],
  [['generate', '--prompt', 'the cat', '--temperature', 'warm'], /temperature/],
  [['generate', '--prompt', 'the cat', '--sae', '{missing}', '--clamp', '1=2'], /does-not-exist/],
  [['generate', '--prompt', 'the cat', '--sae', sae, '--clamp', '99999=2'], /99999/],
  [['generate', '--prompt', 'the cat', '--sae', sae, '--clamp', 'x=2'], /clamp/],
  [['generate', '--share', 'v1.not-a-share-link'], /share/i],
  [['world-sample', '--seed', '1', '--tokens', '-5'], /tokens/],
  [['analyze', '--sae', '{missing}', '--out', '{dir}/a.json'], /does-not-exist/],
  [['harvest', '--hook', 'blocks.0.hook_resid_pre', '--rows', '0', '--out', '{dir}/h.safetensors'], /rows/],
  [['train-sae', '--hook', 'blocks.0.nope', '--out', '{dir}/sae'], /blocks\.0\.nope/],
  [['features', '--sae', sae, '--ids', '1', '--json', '--hook', 'blocks.9.hook_resid_pre'], /blocks\.9\.hook_resid_pre/],
  [['eval-sae', '--sae', '{missing}'], /does-not-exist/],
  [['steer-eval', '--index', '{missing}'], /does-not-exist/],
  [['export-onnx', '--out', '{dir}/onnx', '--dtype', 'fp64'], /fp64/],
  [['random-model', '--out', '{dir}/m', '--shape', 'huge'], /huge/],
  // Numbers at the edges: empty, not finite, negative, far too large.
  [['run', '--ids', '', '--json'], /ids/],
  [['run', '--text', '', '--json'], /has no tokens/],
  [['generate', '--prompt', 'the cat', '--max-tokens', '1e400'], /max-tokens/],
  [['generate', '--prompt', 'the cat', '--seed', '-1'], /seed/],
  [['generate', '--prompt', 'the cat', '--top-p', '2'], /top-p/],
  [['generate', '--prompt', 'the cat', '--top-k', '0.5'], /top-k/],
  [['generate', '--prompt', 'the cat', '--sae', sae, '--clamp', '1=NaN'], /clamp|NaN/],
  [['generate', '--prompt', 'the cat', '--sae', sae, '--add', '1=Infinity'], /add|Infinity/],
  [['generate', '--prompt', 'the cat', '--sae', sae, '--clamp', '1=2', '--steer-positions', 'middle'], /steer-positions/],
  [['harvest', '--hook', 'blocks.0.hook_resid_pre', '--rows', '1e12', '--out', '{dir}/h.safetensors'], /rows/],
  [['train-sae', '--hook', 'blocks.0.hook_resid_pre', '--d-sae', '0', '--out', '{dir}/sae'], /d-sae|dSae/],
  [['train-sae', '--hook', 'blocks.0.hook_resid_pre', '--arch', 'topk', '--k', '0', '--out', '{dir}/sae'], /k/],
  [['train-sae', '--hook', 'blocks.0.hook_resid_pre', '--lr', '-1', '--out', '{dir}/sae'], /lr|learning rate/i],
  [['train-sae', '--hook', 'blocks.0.hook_resid_pre', '--arch', 'sparse', '--out', '{dir}/sae'], /sparse/],
  [['train-sae', '--hook', 'blocks.0.hook_resid_pre', '--arch', 'topk', '--dense-latents', '4', '--out', '{dir}/sae'], /dense-latents.*standard/],
  [['train-sae', '--hook', 'blocks.0.hook_resid_pre', '--d-sae', '8', '--dense-latents', '8', '--out', '{dir}/sae'], /denseLatents/],
  [['train-sae', '--hook', 'blocks.0.hook_resid_pre', '--dense-penalty', '0.1', '--out', '{dir}/sae'], /dense-penalty.*dense-latents/],
  [['train-sae', '--hook', 'blocks.0.hook_resid_pre', '--dense-latents', '4', '--dense-penalty', '1', '--out', '{dir}/sae'], /dense-penalty/],
  [['train-sae', '--hook', 'blocks.0.hook_resid_pre', '--encoder', 'gpu', '--out', '{dir}/sae'], /--encoder must be onnxruntime or tfjs/],
  [['analyze', '--sae', sae, '--tokens', '0', '--out', '{dir}/a.json'], /tokens/],
  [['eval-sae', '--sae', sae, '--tokens', '-1'], /tokens/],
  [['feature-neurons', '--saes', '{missing}', '--out', '{dir}'], /does-not-exist/],
  [['feature-neurons', '--saes', sae, '--tokens', '1', '--out', '{dir}'], /tokens/],
  [['feature-neurons', '--saes', sae, '--seed', '-1', '--out', '{dir}'], /seed/],
  [['feature-neurons', '--saes', ',', '--out', '{dir}'], /at least one SAE/],
  [['features', '--sae', sae, '--text', 'the cat', '--json', '--ids', '1'], /ids|text/],
  [['attribute', '--prompt', 'the cat'], /needs --sae/],
  [['specificity-report', '--index', '{missing}'], /does-not-exist/],
  [['attribute', '--sae', sae, '--prompt', 'The dog', '--ids', '1'], /one of --prompt or --ids/],
  [['attribute', '--sae', sae, '--prompt', 'The dog', '--position', '9'], /outside the prompt/],
  [['attribute', '--sae', sae, '--prompt', 'The dog', '--target', 'Golden Arc'], /2 tokens; it must be exactly one/],
  [['attribute', '--sae', sae, '--prompt', 'The dog', '--target-id', '99999'], /outside the vocabulary/],
  [['attribute', '--sae', sae, '--prompt', 'The dog', '--versus-id', '5', '--loss'], /different targets/],
  [['attribute', '--sae', sae, '--prompt', 'The dog', '--batch', '0'], /--batch/],
  [['contrast', '--concept', 'bridge'], /needs --sae/],
  [['contrast', '--sae', sae, '--with-text', 'The dog'], /both prompt sets/],
  [['contrast', '--sae', sae, '--concept', 'bridge', '--without-text', 'The dog'], /either --concept or the two prompt sets/],
  [['contrast', '--sae', sae, '--concept', 'bridgez'], /Unknown TinyWorld concept "bridgez"/],
  [['contrast', '--sae', sae, '--with', '{missing}', '--without-text', 'The dog'], /does-not-exist/],
  [['contrast', '--sae', sae, '--with-text', ' | ', '--without-text', 'The dog'], /"with" set has no prompts/],
  [['contrast', '--sae', sae, '--concept', 'bridge', '--prompts', '0'], /--prompts/],
  [['contrast', '--sae', sae, '--concept', 'bridge', '--window', '99'], /--window/],
  [['contrast', '--sae', sae, '--concept', 'bridge', '--prompts', '2', '--target', 'Golden Arc'], /2 tokens; it must be exactly one/],
  [['contrast', '--sae', sae, '--concept', 'bridge', '--prompts', '2', '--target-id', '99999'], /outside the vocabulary/],
  [['contrast', '--sae', sae, '--concept', 'bridge', '--batch', '0'], /--batch/],
  // Sizes that cannot be allocated: each crashed with a bare RangeError, or ran minutes first, before the limits.
  [['train-sae', '--hook', 'blocks.0.hook_resid_pre', '--buffer', '1000000000000', '--out', '{dir}/sae'], /activation buffer: 1000000000000 rows × 128 floats .* over the 2 GiB limit/],
  [['train-sae', '--hook', 'blocks.0.hook_resid_pre', '--batch', '1000000000', '--out', '{dir}/sae'], /A batch \(--batch\): 1000000000 rows/],
  [['train-sae', '--hook', 'blocks.0.hook_resid_pre', '--d-sae', '1000000000', '--out', '{dir}/sae'], /d_in × d_sae \(128 × 1000000000\)/],
  [['build-world-model', '--layers', '100000', '--out', '{dir}/wm', '--checkpoint', '{dir}/wmc'], /model these flags describe is not valid: n_layer: .*<=1024 \(got 100000\)/],
  [['build-world-model', '--heads', '3', '--out', '{dir}/wm', '--checkpoint', '{dir}/wmc'], /n_embd \(128\) must be divisible by n_head \(3\)/],
  [['build-world-saes', '--only', 'nonexistent-sae', '--out', '{dir}/ws'], /unknown SAEs: nonexistent-sae/],
  [['feature-neurons', '--saes', sae, '--tokens', '1000000000', '--out', '{dir}'], /Neuron activations \(--tokens\): .* over the 2 GiB limit/],
  [['analyze', '--sae', sae, '--top-k', '1000000000', '--tokens', '100', '--out', '{dir}/a.json'], /top 1000000000 examples of 1024 features/],
  // Text files past the text ceiling (256 MiB), refused by size before any byte is read.
  [['train-sae', '--hook', 'blocks.0.hook_resid_pre', '--text-file', '{dir}/huge.txt', '--out', '{dir}/sae'], /--text-file .*huge\.txt is 300 MiB, over the 256 MiB limit/],
  [['analyze', '--sae', sae, '--text-file', '{dir}/huge.txt', '--out', '{dir}/a.json'], /--text-file .*huge\.txt is 300 MiB/],
  [['contrast', '--sae', sae, '--with', '{dir}/huge.txt', '--without-text', 'The dog'], /huge\.txt is 300 MiB/],
]

describe('every command refuses bad input with exit code 2 and one line', { timeout: 120_000 }, () => {
  it.each(CASES.map(([argv, message]) => [argv.join(' '), argv, message] as const))('%s', async (_, argv, message) => {
    const { code, stderr } = await runCli(argv.map((a) => a.replace('{missing}', missing()).replaceAll('{dir}', dir)))
    expect(stderr).toMatch(message)
    expect(stderr).not.toMatch(/unexpected error|\n\s+at /)
    expect(stderr).toMatch(/^monoscope [\w-]+: /)
    expect(code).toBe(2)
  })
})
