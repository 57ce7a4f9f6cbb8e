// `monoscope probe-sweep`: where TinyWorld's concepts live across the model — the held-out and cross-language probe
// ceilings of every concept at each residual-stream hook, on eval-sae's held-out sample. Span concepts (a language,
// topic, emotion, secrecy) are scored from their first cue word on, as eval-sae scores them.
import * as tf from '@tensorflow/tfjs'
import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { InvalidArgumentError } from '../../core/errors.ts'
import { hookName, parseHookName, type HookName } from '../../core/model/hookNames.ts'
import { windowActivations } from '../../core/sae/activationStore.ts'
import { conceptProbeCeilings, REPRESENTED_AUROC, type ProbeCeiling } from '../../core/sae/conceptProbes.ts'
import { conceptCatalogue } from '../../core/world/catalogue.ts'
import { parseIntFlag, parseNameList } from '../args.ts'
import { loadModelFromSpec } from '../loadModelFromSpec.ts'
import { saeCorpusWindows } from '../saeCorpus.ts'
import { EVAL_SEED } from './evalSae.ts'
import { loadSaeFromSpec } from './features.ts'

export const probeSweepUsage = `monoscope probe-sweep [--hooks NAME,NAME…] [--tokens 20000] [--seed S] [--out DIR]
  Fits the held-out and cross-language concept probes (eval-sae's ceilings) at each hook (default: blocks.0.hook_resid_pre
  and every blocks.l.hook_resid_post) on the same labelled held-out sample, and writes probe_sweep.{json,md} to --out
  (default public/saes/tinyworld/blocks.2.hook_resid_post): which layers hold which concepts, span concepts apart.`

interface HookRow {
  hook: HookName
  ceilings: ProbeCeiling[]
}

export async function probeSweepCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { hooks: { type: 'string' }, tokens: { type: 'string' }, seed: { type: 'string' }, out: { type: 'string' } }, strict: true })
  const out = path.resolve(values.out ?? 'public/saes/tinyworld/blocks.2.hook_resid_post')
  const tokens = parseIntFlag('tokens', values.tokens, 20_000, 1000)
  const seed = parseIntFlag('seed', values.seed, EVAL_SEED, 0)
  const { model, tokenizer } = await loadModelFromSpec(undefined)
  try {
    const layers = model.config.nLayers
    const hooks = parseNameList(values.hooks).map((h) => parseHookName(h, layers))
    if (hooks.length === 0) hooks.push(hookName.residPre(0), ...Array.from({ length: layers }, (_, l) => hookName.residPost(l)))
    // The committed SAE only fixes the sample (context, BOS), so every hook sees eval-sae's documents.
    const sae = await loadSaeFromSpec(path.join(out, 'standard-1024'))
    const { windows, labels, skipFirst } = await saeCorpusWindows(model, tokenizer, sae, { seed, tokens })
    sae.dispose()
    if (!labels) throw new InvalidArgumentError('probe-sweep needs the TinyWorld model (labelled documents)')
    const catalogue = conceptCatalogue()
    const languages = catalogue.languages.map((l) => l.concept)
    const targets = catalogue.concepts.filter((c) => !languages.includes(c.id)).map((c) => ({ concept: c.id, word: c.scope === 'word' }))
    const rows: HookRow[] = []
    for (const hook of hooks) {
      const chunks: Float32Array[] = []
      for (let i = 0; i < windows.length; i += 8) {
        const x = await windowActivations(model, hook, windows.slice(i, i + 8), { skipFirst }) // [rows, dIn]
        chunks.push((await x.data()) as Float32Array)
        x.dispose()
      }
      const x = new Float32Array(chunks.reduce((n, c) => n + c.length, 0))
      chunks.reduce((at, c) => (x.set(c, at), at + c.length), 0)
      const ceilings = conceptProbeCeilings({ x, dIn: model.hookWidth(hook), concepts: labels.concepts, unknowable: labels.unknowable, documents: labels.documents, targets, languages })
      rows.push({ hook, ceilings })
      process.stderr.write(`probe-sweep: ${hook}: ${ceilings.filter((c) => c.represented).length} of ${ceilings.length} represented\n`)
      await tf.nextFrame()
    }
    const report = { format: 'monoscope.probe-sweep', version: 1, seed, tokens: labels.concepts.length, representedAuroc: REPRESENTED_AUROC, hooks: rows }
    await mkdir(out, { recursive: true })
    await writeFile(path.join(out, 'probe_sweep.json'), `${JSON.stringify(report, null, 1)}\n`)
    await writeFile(path.join(out, 'probe_sweep.md'), probeSweepMarkdown(rows, labels.concepts.length, seed))
    process.stderr.write(`probe-sweep: wrote ${path.join(out, 'probe_sweep.md')}\n`)
  } finally {
    model.dispose()
  }
}

export function probeSweepMarkdown(rows: readonly HookRow[], tokens: number, seed: number): string {
  const catalogue = conceptCatalogue().concepts
  const f3 = (v: number | null | undefined) => (v == null ? '–' : v.toFixed(3))
  const count = (r: HookRow, scope: 'word' | 'span') => r.ceilings.filter((c) => catalogue[c.concept]!.scope === scope && c.represented).length
  const scopeTotal = (scope: 'word' | 'span') => rows[0]?.ceilings.filter((c) => catalogue[c.concept]!.scope === scope).length ?? 0
  const spans = rows[0]?.ceilings.filter((c) => catalogue[c.concept]!.scope === 'span').map((c) => c.concept) ?? []
  const cell = (r: HookRow, concept: number) => {
    const c = r.ceilings.find((x) => x.concept === concept)!
    return `${f3(c.heldOut)} / ${f3(c.transferMin)}${c.represented ? ' ✓' : ''}`
  }
  return `# Where TinyWorld's concepts live: probe ceilings by hook

Built by \`npx monoscope probe-sweep\` on ${tokens.toLocaleString('en')} held-out labelled tokens (seed ${seed}, eval-sae's sample). At each
hook, L2 logistic probes are fit for every non-language concept: held out (fit on even documents, scored on odd ones) and
across languages (fit on two languages, scored on the third; the minimum over the three rotations). A concept is
represented at a hook when that minimum reaches ${REPRESENTED_AUROC}. Span concepts are scored from their first cue word on.

| hook | word concepts represented (of ${scopeTotal('word')}) | span concepts represented (of ${scopeTotal('span')}) |
|---|---|---|
${rows.map((r) => `| \`${r.hook}\` | ${count(r, 'word')} | ${count(r, 'span')} |`).join('\n')}

Span concepts, held-out AUROC / transfer AUROC by hook (✓ represented):

| concept | ${rows.map((r) => `\`${r.hook}\``).join(' | ')} |
|---|${rows.map(() => '---').join('|')}|
${spans.map((c) => `| ${catalogue[c]!.name} | ${rows.map((r) => cell(r, c)).join(' | ')} |`).join('\n')}
`
}
