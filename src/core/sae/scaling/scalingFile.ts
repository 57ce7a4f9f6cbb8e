// scaling.json, validated: the CLI resumes from it and the app draws from it, so both read it through this.
import { z } from 'zod'
import { SaeFormatError } from '../../errors.ts'
import type { ScalingSweepFile } from './scalingReport.ts'

const positive = z.number().positive().finite()
const run = z.object({
  dSae: z.number().int().positive(),
  steps: z.number().int().positive(),
  lr: positive,
  tokens: z.number().int().positive(),
  compute: positive,
  loss: positive,
  mse: z.number().nonnegative().finite(),
  sparsity: z.number().nonnegative().finite(),
  fvu: z.number().nonnegative().finite(),
  l0: z.number().nonnegative().finite(),
  seconds: z.number().nonnegative().finite(),
})
const schema = z.object({
  format: z.literal('monoscope.scaling-sweep'),
  version: z.literal(1),
  settings: z.object({
    hook: z.string(),
    activations: z.string(),
    architecture: z.string(),
    l1: z.number().nonnegative().finite(),
    batch: z.number().int().positive(),
    seed: z.number().int().nonnegative(),
    heldOutRows: z.number().int().positive(),
    lr: positive,
    dIn: z.number().int().positive(),
    inputScale: positive,
  }),
  runs: z.array(run).max(10_000),
})

export function parseScalingSweepFile(value: unknown, source = 'scaling.json'): ScalingSweepFile {
  const parsed = schema.safeParse(value)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    throw new SaeFormatError(`${source} is not a Monoscope scaling sweep: ${issue.path.join('.') || '(top level)'}: ${issue.message}`)
  }
  return parsed.data
}
