// The steering report `monoscope steer-eval` writes (steering_report.json): read here for what the app needs from
// it, the feature steer-eval measured to steer each concept and to suppress it, per SAE. Other fields pass through
// unread (the report is for people too), so only the parts read are validated.
import { z } from 'zod'
import { AnalysisFormatError } from '../analysis/format.ts'
import { describeValue } from '../formats/safeJson.ts'

export const STEERING_REPORT_FORMAT = 'monoscope.steering-report'

const count = z.number().int().nonnegative()
const rate = z.object({ multiple: z.number().finite(), rate: z.number().min(0).max(1) })

const reportSchema = z.object({
  format: z.literal(STEERING_REPORT_FORMAT),
  version: z.literal(1),
  saes: z.array(
    z.object({
      id: z.string().min(1),
      /** Each concept's chosen feature and its concept rate at each clamp multiple. */
      concepts: z.array(z.object({ concept: z.string().min(1), feature: count, steered: z.array(rate) })),
      /** Suppression: a prompt whose continuations carry the concept, the chosen feature and its rates clamped negative. */
      suppression: z.array(z.object({ concept: z.string().min(1), prompt: z.string(), feature: count, clamped: z.array(rate) })).default([]),
    }),
  ),
})

export type SteeringReport = z.infer<typeof reportSchema>

export function parseSteeringReport(json: unknown): SteeringReport {
  const head = (json ?? {}) as { format?: unknown }
  if (typeof json !== 'object' || json === null || head.format !== STEERING_REPORT_FORMAT) {
    throw new AnalysisFormatError(`Not a steering report: "format" is ${describeValue(head.format)}, expected "${STEERING_REPORT_FORMAT}"`)
  }
  const parsed = reportSchema.safeParse(json)
  if (parsed.success) return parsed.data
  const issue = parsed.error.issues[0]!
  throw new AnalysisFormatError(`Malformed steering report: ${issue.path.join('.') || '(root)'}: ${issue.message}`)
}
