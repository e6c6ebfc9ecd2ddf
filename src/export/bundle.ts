// The bundle format every writer and reader shares: event.json (built here) and its `tags_profiler` string of
// `key:value` pairs (formatted and parsed here). The session builds bundles, the exporters, the spool and the
// launcher's relay carry them, and dd-run report/top/diff read them back: all through this module.
import type { Attachment, Bundle, ProfileEvent } from './types'
import { isoTime } from '../iso-time'

/** The process roles, as `process_role` carries them and the file layout names process directories. */
export const ROLES = ['main', 'child', 'cluster_worker', 'worker_thread'] as const
export type Role = (typeof ROLES)[number]

/** Why a bundle was taken: `snapshot` in `tags_profiler`. */
export type Snapshot = 'periodic' | 'on_shutdown' | 'on_oom'

/** The tag keys readers place a bundle by (the writer sets them in src/profiling/tags.ts). */
export const TAG = {
  service: 'service',
  pid: 'process_id',
  role: 'process_role',
  runtimeId: 'runtime-id',
  seq: 'profile_seq',
  runId: 'run_id',
} as const

/** A tag key or value made safe for the comma-separated list: no commas, no line breaks, no blank values. */
export function sanitizeTag(s: string): string {
  const out = s.replace(/[,\r\n\t]/g, '_').trim()
  return out === '' ? '_' : out
}

/** `key:value,key:value`; keys lose their colons, so the first colon of an item always splits key and value. */
export function formatTags(pairs: readonly [string, string][]): string {
  return pairs.map(([k, v]) => `${sanitizeTag(k).replace(/:/g, '_')}:${sanitizeTag(v)}`).join(',')
}

/**
 * The reverse of formatTags, for every reader: the first colon splits key and value (a value may hold colons);
 * items without a key are skipped, and white space around keys and values is dropped (other writers add some).
 */
export function parseTags(text: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const item of text.split(',')) {
    const at = item.indexOf(':')
    if (at <= 0) continue
    out[item.slice(0, at).trim()] = item.slice(at + 1).trim()
  }
  return out
}

export interface EventInputs {
  start: Date
  end: Date
  tags: string
  info: Record<string, unknown>
  /** process_tags, as dd-trace-js sends them (see src/profiling/event-info.ts). */
  processTags?: string | undefined
}

/** The Datadog event.json of one bundle, with its attachments. Pure; the session gathers the facts. */
export function buildBundle(attachments: Attachment[], e: EventInputs): Bundle {
  const event: ProfileEvent = {
    attachments: attachments.map((a) => a.name),
    start: isoTime(e.start),
    end: isoTime(e.end),
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
