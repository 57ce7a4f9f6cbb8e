// `monoscope steer-eval`: does clamping a concept's feature make the concept appear? For each SAE in TinyWorld's
// SAE index (or --sae), each concept's feature (chosen among detectors and writers, candidates.ts) is clamped at N× its max activation, and
// the share of seeded generations that mention the concept is compared with the unsteered baseline; negative clamps
// on prompts that produce a concept measure suppression. Writes steering_report.json and .md beside the index.
import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { InvalidArgumentError, TokenizerError } from '../../core/errors.ts'
import { modelUnembedding, logitEffects } from '../../core/analysis/logitEffects.ts'
import { conceptFeatureStatsByUnit, scoreConcepts, SparseActsBuilder, type ConceptScore } from '../../core/sae/groundTruth.ts'
import { steeringCandidates } from '../../core/steering/candidates.ts'
import type { Sae } from '../../core/sae/sae.ts'
import { resolveSaeHook } from '../../core/sae/splice.ts'
import { conceptTokenSequences } from '../../core/steering/conceptMatch.ts'
import { conceptRate } from '../../core/steering/conceptRate.ts'
import { measureMaxActs } from '../../core/steering/maxActs.ts'
import { MAX_ACT_SAMPLE_SEED, MAX_ACT_SAMPLE_TOKENS } from '../../core/steering/maxActSample.ts'
import { steeringPromptIds } from '../../core/steering/prompt.ts'
import { conceptCatalogue, wordConceptIds } from '../../core/world/catalogue.ts'
import { UNK_ID } from '../../core/world/world.ts'
import { parseFloatFlag, parseIntFlag, parseNameList } from '../args.ts'
import { loadModelFromSpec } from '../loadModelFromSpec.ts'
import { saeCorpusWindows } from '../saeCorpus.ts'
import { loadSaeFromSpec } from './features.ts'
import { renderSteeringReportMarkdown, type SteeringReport, type SaeSteeringResult } from './steerEvalReport.ts'
import { publicRoot } from './steerShareSpec.ts'
import { isRecord, readJsonFile } from '../jsonFile.ts'

/** Concepts of different kinds and frequencies: entities (bridge, river, cat, boat, fruit), a topic, a span, safety. */
export const DEFAULT_CONCEPTS = ['bridge', 'river', 'cat', 'boat', 'fruit', 'weather', 'travel', 'secrecy']
/** A prompt under which none of the default concepts is likely (baseline ≤ a few %), so a rise is the steering's. */
export const DEFAULT_NEUTRAL_PROMPT = 'Some sums:'
/** concept=prompt: prompts whose continuations usually mention the concept, for suppression by negative clamping. */
export const DEFAULT_SUPPRESS = ['bridge=About Lindon:', 'river=About Marrow:', 'weather=Weather for Eastby on Wednesday, 16th October:']
/** Logit effects kept per feature when looking for features that write a concept's tokens. */
const CANDIDATE_LOGIT_K = 10
const CANDIDATE_PER_LIST = 6
const DEFAULT_INDEX = path.join(publicRoot, 'saes/tinyworld/index.json')

export const steerEvalUsage = `monoscope steer-eval [--model SRC] [--index FILE | --sae SRC ...] [--concepts a,b,…] [--multiples 5,10]
    [--suppress 'concept=prompt' ...] [--suppress-multiples=-5,-10] [--prompt "…"] [--samples 50] [--select-samples 10] [--max-tokens 40]
    [--temperature 1] [--tokens ${MAX_ACT_SAMPLE_TOKENS}] [--out-dir DIR] [--json]
  Concept rates under steering on TinyWorld. For each SAE (default: every SAE in public/saes/tinyworld/index.json) a
  labelled sample (seed ${MAX_ACT_SAMPLE_SEED}, --tokens tokens) gives every feature's AUROC per concept and max activation.
  Candidates per concept: the ${CANDIDATE_PER_LIST} best detectors (AUROC) and the ${CANDIDATE_PER_LIST} features whose decoder most promotes the
  concept's tokens; the one steering best on --select-samples seeds from 100001 (never reported) is used. It is clamped at each multiple of its max at all positions (BOS excepted), and --samples
  generations (seeds 1…N, temperature --temperature) from --prompt (default "${DEFAULT_NEUTRAL_PROMPT}") count how often one of the
  concept's surface forms appears, against the same seeds unsteered. --suppress clamps at negative multiples on a
  prompt that usually produces the concept. Writes steering_report.json and steering_report.md to --out-dir
  (default: beside the index). Takes about a minute per SAE on 2 cores.`

function parseMultiples(name: string, text: string | undefined, fallback: number[]): number[] {
  if (text === undefined) return fallback
  const values = parseNameList(text).map(Number)
  if (values.length === 0 || values.some((v) => !Number.isFinite(v))) throw new InvalidArgumentError(`--${name} needs numbers, e.g. 5,10; got "${text}"`)
  return values
}

interface IndexEntry {
  id: string
  path: string
}

async function readIndex(file: string): Promise<{ model: string; saes: IndexEntry[] }> {
  const raw = await readJsonFile(file)
  const json = isRecord(raw) ? raw : {}
  const listed: unknown[] = Array.isArray(json.saes) ? json.saes : []
  const saes = listed.filter((s): s is IndexEntry => isRecord(s) && typeof s.id === 'string' && typeof s.path === 'string')
  if (saes.length === 0) throw new InvalidArgumentError(`${file} lists no SAEs`)
  return { model: typeof json.model === 'string' ? json.model : 'models/tinyworld', saes }
}

export async function steerEvalCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      model: { type: 'string' },
      index: { type: 'string' },
      sae: { type: 'string', multiple: true },
      concepts: { type: 'string' },
      multiples: { type: 'string' },
      suppress: { type: 'string', multiple: true },
      'suppress-multiples': { type: 'string' },
      prompt: { type: 'string' },
      samples: { type: 'string' },
      'select-samples': { type: 'string' },
      'max-tokens': { type: 'string' },
      temperature: { type: 'string' },
      tokens: { type: 'string' },
      'out-dir': { type: 'string' },
      json: { type: 'boolean', default: false },
      verbose: { type: 'boolean', short: 'v', default: false },
    },
    strict: true,
  })
  const indexFile = path.resolve(values.index ?? DEFAULT_INDEX)
  const saeList: IndexEntry[] = values.sae
    ? values.sae.map((spec) => ({ id: spec, path: spec }))
    : (await readIndex(indexFile)).saes.map((s) => ({ id: s.id, path: path.join(publicRoot, s.path) }))
  const catalogue = conceptCatalogue()
  const conceptNames = parseNameList(values.concepts ?? DEFAULT_CONCEPTS.join(','))
  const concepts = conceptNames.map((name) => {
    const c = catalogue.concepts.find((x) => x.name === name)
    if (!c) throw new InvalidArgumentError(`Unknown TinyWorld concept "${name}"; see public/models/tinyworld/catalogue.json`)
    return c
  })
  const suppress = (values.suppress ?? DEFAULT_SUPPRESS).map((text) => {
    const eq = text.indexOf('=')
    const c = eq > 0 ? catalogue.concepts.find((x) => x.name === text.slice(0, eq).trim()) : undefined
    if (!c) throw new InvalidArgumentError(`--suppress "${text}": expected concept=prompt with a TinyWorld concept name`)
    return { concept: c, prompt: text.slice(eq + 1) }
  })
  const multiples = parseMultiples('multiples', values.multiples, [5, 10])
  const suppressMultiples = parseMultiples('suppress-multiples', values['suppress-multiples'], [-5, -10])
  const samples = parseIntFlag('samples', values.samples, 50, 1)
  const maxTokens = parseIntFlag('max-tokens', values['max-tokens'], 40, 1)
  const temperature = parseFloatFlag('temperature', values.temperature, 1, 0)
  const sampleTokens = parseIntFlag('tokens', values.tokens, MAX_ACT_SAMPLE_TOKENS, 1)
  const neutralPrompt = values.prompt ?? DEFAULT_NEUTRAL_PROMPT
  const seeds = Array.from({ length: samples }, (_, i) => i + 1)
  const selectionSeeds = Array.from({ length: parseIntFlag('select-samples', values['select-samples'], 10, 1) }, (_, i) => 100_001 + i)
  const sampling = { temperature }
  const started = Date.now()
  const log = (text: string) => values.verbose && process.stderr.write(`${text}\n`)

  const { model, tokenizer, source, backend } = await loadModelFromSpec(values.model, { verbose: values.verbose })
  try {
    if (!tokenizer) throw new TokenizerError('steer-eval needs a model with a tokenizer (TinyWorld)')
    const sequences = new Map(catalogue.concepts.map((c) => [c.id, conceptTokenSequences(c, tokenizer, UNK_ID)]))
    const stopTokenIds = model.config.eosTokenId === null ? [] : [model.config.eosTokenId]
    const results: SaeSteeringResult[] = []
    for (const entry of saeList) {
      let sae: Sae | null = null
      try {
        sae = await loadSaeFromSpec(entry.path, { verbose: values.verbose })
        const hook = resolveSaeHook(model, sae, undefined)
        const corpus = await saeCorpusWindows(model, tokenizer, sae, { seed: MAX_ACT_SAMPLE_SEED, tokens: sampleTokens })
        if (!corpus.concepts) throw new InvalidArgumentError('steer-eval needs the TinyWorld model: its labelled sample defines the concepts')
        const sparse = new SparseActsBuilder(sae.config.dSae)
        const maxActs = await measureMaxActs(model, sae, hook, corpus.windows, { skipFirst: corpus.skipFirst, onRows: (a, rows) => sparse.addRows(a, rows) })
        const acts = sparse.build()
        const scores = scoreConcepts(acts, corpus.concepts, { nConcepts: catalogue.concepts.length, names: catalogue.concepts.map((c) => c.name), wordConcepts: wordConceptIds() })
        log(`${entry.id}: labelled pass done (${sparse.tokens} tokens)`)
        const promptIds = (text: string) => steeringPromptIds(tokenizer.encode(text), model.config, sae!.config.metadata.prependBos)
        const rateOf = async (conceptId: number, prompt: string, feature: number | null, multiple: number | null, onSeeds: readonly number[] = seeds) => {
          const interventions = feature === null || multiple === null ? [] : [{ index: feature, mode: 'clamp' as const, strength: { kind: 'maxMultiple' as const, multiple } }]
          const r = await conceptRate(model, sae!, hook, interventions, sequences.get(conceptId)!, { promptIds: promptIds(prompt), seeds: onSeeds, maxTokens, sampling, maxActs, stopTokenIds })
          return { hits: r.hits, rate: r.rate, example: tokenizer.decode(r.generations[0]!.filter((id) => !stopTokenIds.includes(id))) }
        }
        const best = (id: number): ConceptScore => scores.concepts[id]!
        const stats = conceptFeatureStatsByUnit(acts, corpus.concepts, catalogue.concepts.length, wordConceptIds())
        const logits = await logitEffects(sae.weights.wDec, modelUnembedding(model), { k: CANDIDATE_LOGIT_K })
        const dSae = sae.config.dSae
        // Each candidate is tried on seeds apart from the reported ones, so the choice cannot fit the reported rates.
        const choose = async (conceptId: number, prompt: string, mults: number[], better: (a: number, b: number) => boolean) => {
          const candidates = steeringCandidates({
            dSae,
            auroc: stats.auroc.subarray(conceptId * dSae, (conceptId + 1) * dSae),
            promotedIds: logits.promotedIds,
            promotedValues: logits.promotedValues,
            k: logits.k,
            conceptTokens: new Set(sequences.get(conceptId)!.map((seq) => seq[0]!)),
            maxActs,
          })
          const tried = []
          for (const c of candidates) {
            let total = 0
            for (const m of mults) total += (await rateOf(conceptId, prompt, c.feature, m, selectionSeeds)).rate
            tried.push({ ...c, rate: total / mults.length })
          }
          const chosen = tried.reduce<(typeof tried)[number] | null>((a, b) => (a === null || better(b.rate, a.rate) ? b : a), null)
          return { chosen, selection: { seeds: `${selectionSeeds[0]}…${selectionSeeds.at(-1)}`, candidates: tried } }
        }
        const describe = (s: ConceptScore, feature: number | null) => ({
          feature,
          auroc: feature === null ? null : stats.auroc[s.concept * dSae + feature]!,
          f1: feature === null ? null : stats.f1[s.concept * dSae + feature]!,
          max_act: feature === null ? null : maxActs[feature]!,
        })
        const conceptResults = []
        for (const c of concepts) {
          const s = best(c.id)
          const baseline = await rateOf(c.id, neutralPrompt, null, null)
          const { chosen, selection } = await choose(c.id, neutralPrompt, multiples, (a, b) => a > b)
          const steered = []
          if (chosen) for (const m of multiples) steered.push({ multiple: m, value: m * maxActs[chosen.feature]!, ...(await rateOf(c.id, neutralPrompt, chosen.feature, m)) })
          conceptResults.push({ concept: c.name, concept_id: c.id, frequency: s.frequency, ...describe(s, chosen?.feature ?? null), selection, baseline, steered })
          log(`  ${c.name}: feature ${chosen?.feature} baseline ${baseline.rate} → ${steered.map((x) => `${x.multiple}×: ${x.rate}`).join(', ')}`)
        }
        const suppression = []
        for (const { concept, prompt } of suppress) {
          const s = best(concept.id)
          const baseline = await rateOf(concept.id, prompt, null, null)
          const { chosen, selection } = await choose(concept.id, prompt, suppressMultiples, (a, b) => a < b)
          const clamped = []
          if (chosen) for (const m of suppressMultiples) clamped.push({ multiple: m, value: m * maxActs[chosen.feature]!, ...(await rateOf(concept.id, prompt, chosen.feature, m)) })
          suppression.push({ concept: concept.name, concept_id: concept.id, prompt, ...describe(s, chosen?.feature ?? null), selection, baseline, clamped })
          log(`  suppress ${concept.name}: baseline ${baseline.rate} → ${clamped.map((x) => `${x.multiple}×: ${x.rate}`).join(', ')}`)
        }
        results.push({
          id: entry.id,
          source: path.relative(publicRoot, entry.path).startsWith('..') ? entry.path : path.relative(publicRoot, entry.path).split(path.sep).join('/'),
          architecture: sae.config.architecture,
          d_sae: sae.config.dSae,
          hook,
          concepts_recovered: scores.recovered,
          concepts_evaluated: scores.evaluated,
          concepts: conceptResults,
          suppression,
        })
      } finally {
        sae?.dispose()
      }
    }
    const report: SteeringReport = {
      format: 'monoscope.steering-report',
      version: 1,
      command: `npx monoscope steer-eval ${argv.join(' ')}`.trim(),
      model: source.description.startsWith(publicRoot) ? path.relative(publicRoot, source.description) : source.description,
      backend,
      settings: {
        neutral_prompt: neutralPrompt,
        samples,
        seeds: `1…${samples}`,
        max_tokens: maxTokens,
        temperature,
        positions: 'all (BOS excepted)',
        mode: 'clamp: SAE(x) with f_j := c, plus error(x)',
        multiples,
        suppress_multiples: suppressMultiples,
        labelled_sample: `tinyworld:labelled:seed=${MAX_ACT_SAMPLE_SEED}:tokens=${sampleTokens}`,
        best_feature: `candidates: the ${CANDIDATE_PER_LIST} features of highest ground-truth AUROC on the labelled sample and the ${CANDIDATE_PER_LIST} whose decoder direction most promotes the concept's first tokens (top-${CANDIDATE_LOGIT_K} logit effects); the one with the best mean rate over the multiples on selection seeds ${selectionSeeds[0]}…${selectionSeeds.at(-1)} (never reported) is used`,
        max_act: 'max of f_j·‖W_dec,j‖ over the labelled sample (as the dashboards\' max_act)',
        appears: "one of the concept's surface forms (any language; multi-token names whole) occurs in the generated tokens",
      },
      elapsed_seconds: Math.round((Date.now() - started) / 1000),
      saes: results,
    }
    const outDir = path.resolve(values['out-dir'] ?? path.dirname(indexFile))
    await writeFile(path.join(outDir, 'steering_report.json'), `${JSON.stringify(report, null, 2)}\n`)
    const markdown = renderSteeringReportMarkdown(report)
    await writeFile(path.join(outDir, 'steering_report.md'), markdown)
    process.stdout.write(values.json ? `${JSON.stringify(report)}\n` : markdown)
  } finally {
    model.dispose()
  }
}
