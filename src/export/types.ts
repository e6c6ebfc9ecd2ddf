// What travels from a profiling session to the exporters: one bundle per upload period and process.

/** The Datadog intake's `event.json` (see docs/how-it-works.md and the intake notes). */
export interface ProfileEvent {
  /** The attachment names, equal to the multipart part names: `wall.pprof`, `space.pprof`, ... */
  attachments: string[]
  /** RFC 3339 UTC timestamps of the period the profiles cover. */
  start: string
  end: string
  family: 'node'
  version: '4'
  /** Comma-separated `key:value` tags: language, runtime, service, env, version, lineage, snapshot, profile_seq, ... */
  tags_profiler: string
  endpoint_counts?: Record<string, number>
  process_tags?: string
  info: Record<string, unknown>
}

export interface Attachment {
  /** `<type>.pprof`, the part name and file name. */
  name: string
  /** The gzip'ed profile.proto. */
  data: Buffer
}

export interface Bundle {
  event: ProfileEvent
  attachments: Attachment[]
}

export interface Exporter {
  readonly name: string
  /** Sends or writes one bundle. Never throws into the app: failures are reported and counted by the exporter. */
  export(bundle: Bundle): Promise<void>
}
