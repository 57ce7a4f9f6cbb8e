// The probe ceilings of TinyWorld's concepts at one hook (concept_ceilings.json beside the SAE folders): what a
// linear probe reads from the activations the SAEs encode, held out and across languages. Written by
// `monoscope build-world-saes` from eval-sae's report; read by the feature dashboard to show, beside a feature's
// concept AUROC, what the model itself makes readable. One file per hook: the ceiling does not depend on the SAE.
import { z } from 'zod'
import { AnalysisFormatError } from './format.ts'

export const CONCEPT_CEILINGS_FORMAT = 'monoscope.concept-ceilings'
export const CONCEPT_CEILINGS_FILE = 'concept_ceilings.json'

export interface ConceptCeilingsFile {
  format: typeof CONCEPT_CEILINGS_FORMAT
  version: 1
  hook: string
  tokens: number
  sample_seed: number
  /** Transfer AUROC (minimum over the language rotations) at which a concept counts as represented. */
  represented_auroc: number
  /** By concept id (the catalogue's order). */
  concepts: { id: number; name: string; held_out: number | null; transfer_min: number | null; represented: boolean }[]
}

const auroc = z.number().min(0).max(1).nullable()
const schema = z.strictObject({
  format: z.literal(CONCEPT_CEILINGS_FORMAT),
  version: z.literal(1),
  hook: z.string(),
  tokens: z.number().int().nonnegative(),
  sample_seed: z.number().int().nonnegative(),
  represented_auroc: z.number().min(0).max(1),
  concepts: z.array(z.strictObject({ id: z.number().int().nonnegative(), name: z.string(), held_out: auroc, transfer_min: auroc, represented: z.boolean() })),
})

export function parseConceptCeilings(json: unknown): ConceptCeilingsFile {
  const parsed = schema.safeParse(json)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    throw new AnalysisFormatError(`Not a valid ${CONCEPT_CEILINGS_FORMAT} v1 file: ${issue.path.join('.') || 'the file'} ${issue.message}`)
  }
  return parsed.data as ConceptCeilingsFile
}

/** Where an index SAE's hook keeps its ceilings: concept_ceilings.json beside the SAE's folder. */
export function conceptCeilingsPathOf(saePath: string): string {
  const parts = saePath.replace(/\/+$/, '').split('/')
  parts.pop()
  return `${parts.join('/')}/${CONCEPT_CEILINGS_FILE}`
}

/** One concept's ceiling, or null where the file has none for that id. */
export function ceilingOf(file: ConceptCeilingsFile, concept: number): ConceptCeilingsFile['concepts'][number] | null {
  return file.concepts.find((c) => c.id === concept) ?? null
}
