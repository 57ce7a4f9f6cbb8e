// `monoscope world-sample`: flag parsing for the labelled TinyWorld evaluation set.
import { parseArgs } from 'node:util'
import { parseIntFlag } from '../args.ts'
import { worldSampleCommand } from './worldSample.ts'

export const worldSampleUsage = `monoscope world-sample --seed S --tokens N [--labels] [--out FILE]
  Writes TinyWorld documents as JSON Lines (text, ids; with --labels per-token concept ids and forced flags).`

export async function worldSampleCli(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      seed: { type: 'string' },
      tokens: { type: 'string' },
      labels: { type: 'boolean', default: false },
      out: { type: 'string' },
    },
    strict: true,
  })
  await worldSampleCommand({
    seed: parseIntFlag('seed', values.seed, 0),
    tokens: parseIntFlag('tokens', values.tokens, 10_000, 1),
    labels: values.labels,
    ...(values.out !== undefined ? { out: values.out } : {}),
  })
}
