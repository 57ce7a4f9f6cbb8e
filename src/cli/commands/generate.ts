// `monoscope generate`: sample a continuation of a prompt, streaming text to stdout.
import { parseArgs } from 'node:util'
import { InvalidArgumentError, TokenizerError } from '../../core/errors.ts'
import { generate } from '../../core/generate/generate.ts'
import { createStreamingDecoder } from '../../core/tokenizer/tokenizer.ts'
import { parseFloatFlag, parseIntFlag } from '../args.ts'
import { loadModelFromSpec } from '../loadModelFromSpec.ts'
import { defaultModelSpec } from '../defaults.ts'
import { steeredGenerateCommand } from './steerGenerate.ts'
import { parseSteerFlags, steerFlagsHelp } from './steerFlags.ts'
import type { PositionPolicy } from '../../core/steering/positions.ts'

export const generateUsage = `monoscope generate [--model SRC] --prompt "…" [--max-tokens N] [--temperature T] [--top-k K] [--top-p P] [--seed S] [--json]
  Temperature 0 is greedy. The same seed gives the same text on the same backend.
  --json prints {"prompt_tokens": […], "tokens": […], "text": "…"} instead of streaming text.

monoscope generate [--model SRC] --prompt "…" --sae SRC [--hook NAME] --clamp 37=5x --clamp 12=-2 --add 90=3
    [--steer-positions prompt|generated|both] [--steer-bos] [--max-acts FILE] [--steered-only] [sampling flags] [--json]
monoscope generate --share 'v1.…' | URL [--steered-only] [--json]
  Steering: the default and the steered continuation from the same seed (the prompt gets the model's BOS first when
  the SAE was trained with one; that BOS is never steered unless --steer-bos). Both stop at end-of-text.
${steerFlagsHelp}
  --steer-positions  where to steer: prompt, generated or both (default both, as in the paper)
  --share        run a share link's whole state (model, SAE, prompt, features, sampling, seed) as the browser does
  --json prints {"prompt_tokens", "default": {"tokens", "text"}, "steered": {…}, "divergence", "interventions",
  "max_acts_source", "backend", "share"}: prompt_tokens include the BOS, tokens exclude end-of-text, and "share" is
  the ?steer= state that reproduces the run in the app (same backend, same tokens).`

const POSITION_FLAG: Readonly<Record<string, PositionPolicy>> = { prompt: 'prompt', generated: 'generated', both: 'all', all: 'all' }

export async function generateCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      model: { type: 'string' },
      prompt: { type: 'string' },
      'max-tokens': { type: 'string' },
      temperature: { type: 'string' },
      'top-k': { type: 'string' },
      'top-p': { type: 'string' },
      seed: { type: 'string' },
      sae: { type: 'string' },
      hook: { type: 'string' },
      clamp: { type: 'string', multiple: true },
      add: { type: 'string', multiple: true },
      'steer-positions': { type: 'string' },
      'steer-bos': { type: 'boolean', default: false },
      'max-acts': { type: 'string' },
      'steered-only': { type: 'boolean', default: false },
      share: { type: 'string' },
      json: { type: 'boolean', default: false },
      verbose: { type: 'boolean', short: 'v', default: false },
    },
    strict: true,
  })
  const steering = values.sae !== undefined || values.share !== undefined || values.clamp !== undefined || values.add !== undefined
  if (values.prompt === undefined && !steering) throw new InvalidArgumentError('generate needs --prompt "…"')
  const maxTokens = parseIntFlag('max-tokens', values['max-tokens'], 50, 1)
  const temperature = parseFloatFlag('temperature', values.temperature, 1, 0)
  const topK = parseIntFlag('top-k', values['top-k'], 0, 0)
  const topP = parseFloatFlag('top-p', values['top-p'], 1, 0, 1)
  const seed = parseIntFlag('seed', values.seed, 0)
  if (steering) {
    const positionText = values['steer-positions'] ?? 'both'
    const positions = POSITION_FLAG[positionText]
    if (!positions) throw new InvalidArgumentError(`--steer-positions must be prompt, generated or both, got "${positionText}"`)
    await steeredGenerateCommand(
      {
        model: values.model,
        sae: values.sae,
        hook: values.hook,
        prompt: values.prompt,
        share: values.share,
        interventions: parseSteerFlags(values.clamp, values.add),
        positions,
        steerBos: values['steer-bos'],
        maxActsFile: values['max-acts'],
        sampling: { temperature, topK, topP, maxTokens },
        seed,
        steeredOnly: values['steered-only'],
        json: values.json,
        verbose: values.verbose,
      },
      defaultModelSpec,
    )
    return
  }
  if (values.prompt === undefined) throw new InvalidArgumentError('generate needs --prompt "…"')

  const { model, tokenizer } = await loadModelFromSpec(values.model, { verbose: values.verbose })
  try {
    if (!tokenizer) throw new TokenizerError('This model has no tokenizer.json, so it cannot take a text prompt')
    const promptIds = tokenizer.encode(values.prompt)
    if (promptIds.length === 0) throw new InvalidArgumentError('The prompt has no tokens')
    const decoder = createStreamingDecoder(tokenizer)
    const generated: number[] = []
    if (!values.json) {
      for (const id of promptIds) decoder.push(id)
      process.stdout.write(values.prompt)
    }
    const stopTokenIds = model.config.eosTokenId === null ? [] : [model.config.eosTokenId]
    for await (const id of generate(model, promptIds, { maxTokens, temperature, topK, topP, seed, stopTokenIds })) {
      if (stopTokenIds.includes(id)) break // the end-of-text token ends the text; it is not part of it
      generated.push(id)
      if (!values.json) process.stdout.write(decoder.push(id))
    }
    if (values.json) {
      const text = tokenizer.decode(generated)
      process.stdout.write(`${JSON.stringify({ prompt_tokens: promptIds, tokens: generated, text })}\n`)
    } else {
      process.stdout.write('\n')
    }
  } finally {
    model.dispose()
  }
}
