// `monoscope generate`: sample a continuation of a prompt, streaming text to stdout.
import { parseArgs } from 'node:util'
import { InvalidArgumentError, TokenizerError } from '../../core/errors.ts'
import { generate } from '../../core/generate/generate.ts'
import { createStreamingDecoder } from '../../core/tokenizer/tokenizer.ts'
import { parseFloatFlag, parseIntFlag } from '../args.ts'
import { loadModelFromSpec } from '../loadModelFromSpec.ts'

export const generateUsage = `monoscope generate [--model SRC] --prompt "…" [--max-tokens N] [--temperature T] [--top-k K] [--top-p P] [--seed S] [--json]
  Temperature 0 is greedy. The same seed gives the same text on the same backend.
  --json prints {"prompt_tokens": […], "tokens": […], "text": "…"} instead of streaming text.`

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
      json: { type: 'boolean', default: false },
      verbose: { type: 'boolean', short: 'v', default: false },
    },
    strict: true,
  })
  if (values.prompt === undefined) throw new InvalidArgumentError('generate needs --prompt "…"')
  const maxTokens = parseIntFlag('max-tokens', values['max-tokens'], 50, 1)
  const temperature = parseFloatFlag('temperature', values.temperature, 1, 0)
  const topK = parseIntFlag('top-k', values['top-k'], 0, 0)
  const topP = parseFloatFlag('top-p', values['top-p'], 1, 0, 1)
  const seed = parseIntFlag('seed', values.seed, 0)

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
