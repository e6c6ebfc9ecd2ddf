// Builds the Datadog event.json of one bundle. Pure; the session gathers the facts.
import type { Attachment, Bundle, ProfileEvent } from './types'

export interface EventInputs {
  start: Date
  end: Date
  tags: string
  info: Record<string, unknown>
  /** process_tags, as dd-trace-js sends them (see src/profiling/start.ts). */
  processTags?: string | undefined
}

export function buildBundle(attachments: Attachment[], e: EventInputs): Bundle {
  const event: ProfileEvent = {
    attachments: attachments.map((a) => a.name),
    start: e.start.toISOString(),
    end: e.end.toISOString(),
    family: 'node',
    version: '4',
    tags_profiler: e.tags,
    // Request counts per endpoint come from a tracer's spans: dd-run has none, and sends the empty object
    // dd-trace-js sends without them.
    endpoint_counts: {},
    ...(e.processTags ? { process_tags: e.processTags } : {}),
    info: e.info,
  }
  return { event, attachments }
}

/** RFC 3339 as the intake accepts it. */
export const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/
