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
  /**
   * Facts about the process for local readers (dd-run report), never sent to an agent or the intake: the file
   * exporter keeps them in process.json beside the process's bundles.
   */
  process?: ProcessDescription
}

/** process.json: written once per process directory by the file exporter. */
export interface ProcessDescription {
  /** The command line as the run summary shows it (script path relative to the launch directory). */
  command: string
}

export interface Exporter {
  readonly name: string
  /**
   * Sends or writes one bundle. The network exporters never reject: they count and report their own failures. The
   * file exporter rejects when a bundle cannot be written; the session catches that, says it once and the app runs on.
   */
  export(bundle: Bundle): Promise<void>
  /**
   * Writes one bundle synchronously: what the `exit` event allows. Exporters that cannot (the network ones) leave
   * it out, and the session spools their final bundle in the run channel for the launcher to relay.
   */
  exportSync?(bundle: Bundle): void
  /** Where the bundles go, for people (the run summary): a directory, an address. */
  readonly target?: string
  /**
   * Waits at most timeoutMs for what is still queued or in flight, and returns the bundles not delivered by then
   * (no longer retried here) so the caller can spool them or write them to a file. Holds the process open for at
   * most timeoutMs; nothing else an exporter does ever keeps a process alive.
   */
  flush?(timeoutMs: number): Promise<Bundle[]>
  /** Counters for --debug and the run summary. */
  stats?(): ExporterStats
  /** Why the last attempt to deliver failed (a network error, an HTTP status), once one has: for the run summary. */
  lastError?(): string | undefined
}

export interface ExporterStats {
  /** Bundles delivered. */
  sent: number
  /** Bundles given up on: retry budget spent, or rejected (4xx). */
  failed: number
  /** Bundles dropped unsent because the queue was full (the agent too slow or down). */
  dropped: number
  /** Attempts after the first, over all bundles. */
  retries: number
  /** Bundles waiting or in flight now. */
  queued: number
}
