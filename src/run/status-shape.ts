// The shape of a process's status, and the check of one read back from the run channel. The launcher trusts nothing
// it reads from disk: a status can be garbage, or valid JSON with a field missing or of the wrong type (a foreign or
// older writer, a hand edit), and one such file must cost one line of the summary, never the summary. Pure.

export type ProcessState = 'profiled' | 'dormant' | 'off'

export interface ProcessStatus {
  pid: number
  threadId: number
  role: string
  command: string
  /** profiled; dormant by policy (package manager, --only/--skip, worker threads off); off after a failure. */
  state: ProcessState
  reason?: string
  service?: string
  runtimeId?: string
  parentPid?: number
  startedAt: string
  endedAt?: string
  /** How the process ended, when the session saw it: exit code, or the signal it re-raised. */
  exit?: string
  /** Bundles delivered per exporter. */
  exported: Record<string, number>
  /** Where each exporter put them (the file exporter: the process directory). */
  targets: Record<string, string>
  /** Bundles left in the spool for the launcher, per exporter. */
  spooled: Record<string, number>
  /** Bundles an exporter gave up on (failed) or dropped from its full queue, per exporter, when any. */
  lost?: Record<string, { failed: number; dropped: number }>
  /** Periods merged into the next one because the previous export was still running. */
  deferred: number
  /** The watchdog thread (periodic profiles behind a main thread that does not yield, snapshots): on, or off and why. */
  watchdog?: string
  failures: string[]
}

const STATES = new Set(['profiled', 'dormant', 'off'])

/** The report, or what is wrong with it in a few words (never the file's content: it may hold anything). */
export function checkStatus(value: unknown, expected: { pid: number; threadId: number }): ProcessStatus | string {
  if (!isObject(value)) return `not a JSON object`
  const problems: string[] = []
  const need = (key: string, ok: (v: unknown) => boolean, what: string, optional = false) => {
    const v = value[key]
    if (v === undefined ? !optional : !ok(v)) problems.push(`${key} ${v === undefined ? 'missing' : `is ${typeName(v)}`}, expected ${what}`)
  }
  need('pid', isCount, 'a positive integer')
  need('threadId', isCountOrZero, 'an integer >= 0')
  need('role', isString, 'a string')
  need('command', isString, 'a string')
  need('state', (v) => typeof v === 'string' && STATES.has(v), 'profiled, dormant or off')
  need('startedAt', isString, 'a string')
  need('exported', (v) => isRecordOf(v, isCountOrZero), 'an object of counts')
  need('targets', (v) => isRecordOf(v, isString), 'an object of strings')
  need('spooled', (v) => isRecordOf(v, isCountOrZero), 'an object of counts')
  need('deferred', isCountOrZero, 'an integer >= 0')
  need('failures', (v) => Array.isArray(v) && v.every(isString), 'an array of strings')
  for (const key of ['reason', 'service', 'runtimeId', 'endedAt', 'exit', 'watchdog']) need(key, isString, 'a string', true)
  need('parentPid', isCountOrZero, 'an integer >= 0', true)
  need('lost', (v) => isRecordOf(v, (x) => isObject(x) && isCountOrZero(x.failed) && isCountOrZero(x.dropped)), 'an object of {failed, dropped} counts', true)
  if (problems.length > 0) return problems.slice(0, 3).join('; ') + (problems.length > 3 ? ` (+${problems.length - 3} more)` : '')
  const report = value as unknown as ProcessStatus
  // The launcher relays spooled bundles by the pid and thread in their names: a report must be the one it claims.
  if (report.pid !== expected.pid || report.threadId !== expected.threadId) {
    return `it describes ${report.pid}-${report.threadId}, not the process its name says`
  }
  return report
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function isString(v: unknown): v is string {
  return typeof v === 'string'
}

function isCountOrZero(v: unknown): boolean {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0
}

function isCount(v: unknown): boolean {
  return isCountOrZero(v) && (v as number) > 0
}

function isRecordOf(v: unknown, ok: (x: unknown) => boolean): boolean {
  return isObject(v) && Object.values(v).every(ok)
}

function typeName(v: unknown): string {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'an array'
  if (typeof v === 'string') return 'a string'
  if (typeof v === 'number') return Number.isFinite(v) ? `the number ${v}` : 'a number'
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`
}
