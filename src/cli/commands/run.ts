// `monoscope run`: one forward pass, printing logits and hook activations as JSON.
import * as tf from '@tensorflow/tfjs'
import { parseArgs } from 'node:util'
import { InvalidArgumentError, TokenizerError } from '../../core/errors.ts'
import { parseHookName, type HookName } from '../../core/model/hookNames.ts'
import { parseIdList, parseNameList } from '../args.ts'
import { loadModelFromSpec } from '../loadModelFromSpec.ts'

export const runUsage = `monoscope run [--model SRC] (--ids 5,17,42 | --text "…") [--hooks NAME,NAME] [--all-positions] --json
  Prints {"tokens": [ids], "logits": [[…]], "hooks": {"NAME": [[…]]}}: logits of the last position
  as a one-row matrix (every position with --all-positions); hook values for the whole sequence.`

export async function runCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      model: { type: 'string' },
      ids: { type: 'string' },
      text: { type: 'string' },
      hooks: { type: 'string' },
      'all-positions': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      verbose: { type: 'boolean', short: 'v', default: false },
    },
    strict: true,
  })
  if ((values.ids === undefined) === (values.text === undefined)) {
    throw new InvalidArgumentError('Give exactly one of --ids or --text')
  }
  if (!values.json) throw new InvalidArgumentError('run prints JSON only: pass --json')

  const { model, tokenizer } = await loadModelFromSpec(values.model, { verbose: values.verbose })
  try {
    let ids: number[]
    if (values.ids !== undefined) {
      ids = parseIdList(values.ids)
    } else {
      if (!tokenizer) throw new TokenizerError('This model folder has no tokenizer.json: use --ids instead of --text')
      ids = tokenizer.encode(values.text ?? '')
    }
    const bad = ids.find((id) => id >= model.config.vocabSize)
    if (bad !== undefined) throw new InvalidArgumentError(`Token id ${bad} is outside the vocabulary (size ${model.config.vocabSize})`)
    if (ids.length === 0) throw new InvalidArgumentError('The input has no tokens')
    if (ids.length > model.config.nCtx) throw new InvalidArgumentError(`${ids.length} tokens exceed the model's context of ${model.config.nCtx}`)

    const hookNames: HookName[] = parseNameList(values.hooks).map((n) => parseHookName(n, model.config.nLayers))
    const allPositions = values['all-positions'] === true
    const { logits, cache } = await model.runWithCache([ids], hookNames, { logitsAt: allPositions ? 'all' : 'last' }) // logits [1, pos or 1, vocab]
    try {
      const rows = tf.tidy(() => logits.squeeze([0])) // [pos, vocab] or [1, vocab]
      const hooks: Record<string, unknown> = {}
      for (const name of hookNames) {
        const act = cache.get(name)
        if (!act) continue
        const first = act.squeeze([0]) // [pos, dModel] (or [head, q, k] for attention patterns)
        hooks[name] = first.arraySync()
        first.dispose()
      }
      const out = { tokens: ids, logits: rows.arraySync(), hooks }
      rows.dispose()
      process.stdout.write(`${JSON.stringify(out)}\n`)
    } finally {
      logits.dispose()
      for (const t of cache.values()) t.dispose()
    }
  } finally {
    model.dispose()
  }
}
