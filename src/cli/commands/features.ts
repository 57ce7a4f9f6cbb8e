// `monoscope features`: an SAE's latent activations and reconstruction at every position of a prompt, as JSON.
import * as tf from '@tensorflow/tfjs'
import { parseArgs } from 'node:util'
import { InvalidArgumentError } from '../../core/errors.ts'
import { loadSaeLens } from '../../core/sae/saelens.ts'
import type { Sae } from '../../core/sae/sae.ts'
import { resolveSaeHook } from '../../core/sae/splice.ts'
import { resolveSource } from '../../core/sources/index.ts'
import { parseIdList } from '../args.ts'
import { loadModelFromSpec } from '../loadModelFromSpec.ts'
import { createDownloadProgress } from '../progress.ts'
import { checkPromptIds, promptIdsForSae } from '../promptIds.ts'

export const featuresUsage = `monoscope features [--model SRC] --sae SRC [--hook NAME] (--ids 5,17,42 | --text "…") --json [--dense]
  Prints {"tokens": [ids], "feature_acts": […], "reconstruction": [[…]]} for every position: each position's
  nonzero latents as [[index, value], …] (a dense [pos][d_sae] matrix with --dense). Values are the SAE's own
  f_i, not scaled by decoder norms. --text gets a BOS first when the SAE was trained with one (prepend_bos).
  An SAE SRC may name a folder inside a Hub repo: hf:owner/name[@revision]/FOLDER.`

/** Loads an SAELens folder (local folder, URL or hf:owner/name[@rev] with an optional /subfolder after the id). */
export async function loadSaeFromSpec(spec: string, opts: { verbose?: boolean } = {}): Promise<Sae> {
  const hub = /^(hf:[^/]+\/[^/@]+(?:@[^/]+)?)\/(.+)$/.exec(spec)
  const source = hub ? resolveSource(hub[1]!).subfolder(hub[2]!) : resolveSource(spec)
  if (opts.verbose) process.stderr.write(`monoscope: loading SAE ${source.description}\n`)
  const { sae } = await loadSaeLens(source, { onProgress: createDownloadProgress(opts.verbose) })
  return sae
}

export async function featuresCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      model: { type: 'string' },
      sae: { type: 'string' },
      hook: { type: 'string' },
      ids: { type: 'string' },
      text: { type: 'string' },
      json: { type: 'boolean', default: false },
      dense: { type: 'boolean', default: false },
      verbose: { type: 'boolean', short: 'v', default: false },
    },
    strict: true,
  })
  if (values.sae === undefined) throw new InvalidArgumentError('features needs --sae SRC (an SAELens folder)')
  if ((values.ids === undefined) === (values.text === undefined)) throw new InvalidArgumentError('Give exactly one of --ids or --text')
  if (!values.json) throw new InvalidArgumentError('features prints JSON only: pass --json')

  const { model, tokenizer } = await loadModelFromSpec(values.model, { verbose: values.verbose })
  let sae: Sae | null = null
  try {
    sae = await loadSaeFromSpec(values.sae, { verbose: values.verbose })
    const hook = resolveSaeHook(model, sae, values.hook)
    const ids = values.ids !== undefined ? checkPromptIds(model, parseIdList(values.ids)) : promptIdsForSae(model, tokenizer, sae, values.text ?? '', { text: '--text', ids: '--ids' })

    const act = (await model.collectActivations([ids], [hook])).get(hook)! // [1, pos, dIn]
    const out = sae.run(act)
    act.dispose()
    try {
      const f = out.featureActs.dataSync() // [1, pos, dSae] flattened
      const dSae = sae.config.dSae
      const featureActs = ids.map((_, p) => {
        const row = Array.from(f.subarray(p * dSae, (p + 1) * dSae))
        if (values.dense) return row
        const nonzero: [number, number][] = []
        row.forEach((v, i) => v !== 0 && nonzero.push([i, v]))
        return nonzero
      })
      const reconstruction = tf.tidy(() => out.reconstruction.squeeze([0]).arraySync()) // [pos, dIn]
      process.stdout.write(`${JSON.stringify({ tokens: ids, feature_acts: featureActs, reconstruction })}\n`)
    } finally {
      tf.dispose([out.featureActs, out.reconstruction, out.error])
    }
  } finally {
    sae?.dispose()
    model.dispose()
  }
}
