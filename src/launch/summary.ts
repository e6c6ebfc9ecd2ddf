// The run summary the launcher prints when the child exits: one line per Node process (and worker thread) of the
// tree, from the statuses the preloads left in the run channel and what the launcher relayed for them. Pure.
import * as path from 'node:path'
import type { BadStatus } from '../run/status'
import type { ProcessStatus } from '../run/status-shape'

export interface Relayed {
  /** Bundles relayed per exporter. */
  sent: Record<string, number>
  failures: string[]
}

export function relayKey(pid: number, threadId: number): string {
  return `${pid}-${threadId}`
}

/** `reports` as readStatuses returns them: with `bad`, the status files that could not be used, one line each. */
export function summaryLines(reports: readonly ProcessStatus[] & { bad?: readonly BadStatus[] }, relayed: ReadonlyMap<string, Relayed>, cwd: string): string[] {
  const badLines = (reports.bad ?? []).map((b) => `  ${b.file} in the run channel ignored: ${b.problem}`)
  if (reports.length === 0) return ['run summary: no Node process reported (the command started no Node.js program, or none could load the preload)', ...badLines]
  let profiled = 0
  let bundles = 0
  const rows: string[] = []
  const wPid = Math.max(...reports.map((r) => String(r.pid).length + (r.threadId ? String(r.threadId).length + 1 : 0)))
  const wRole = Math.max(...reports.map((r) => r.role.length))
  const crowded = crowdedThreads(reports)
  const grouped = new Map<number, string[]>()
  for (const r of reports) {
    const relay = relayed.get(relayKey(r.pid, r.threadId))
    const who = (r.threadId ? `${r.pid}/${r.threadId}` : String(r.pid)).padEnd(wPid)
    let what: string
    let brief: string
    if (r.state === 'profiled') {
      profiled++
      const parts: string[] = []
      const names = new Set([...Object.keys(r.exported), ...Object.keys(r.spooled)])
      let n = 0
      for (const name of names) {
        const count = (r.exported[name] ?? 0) + (relay?.sent[name] ?? 0)
        n += count
        const target = r.targets[name]
        const lost = r.lost?.[name]
        const lostText = lost ? `, ${lost.failed} failed and ${lost.dropped} dropped` : ''
        parts.push(`${count} to ${name}${target ? ` ${shortPath(target, cwd)}` : ''}${lostText}`)
      }
      bundles += n
      what = `profiled, ${n} bundle${n === 1 ? '' : 's'}${parts.length > 0 ? ` (${parts.join('; ')})` : ''}`
      brief = `profiled, ${n} bundle${n === 1 ? '' : 's'}`
      if (r.deferred > 0) what += `, ${r.deferred} period${r.deferred === 1 ? '' : 's'} merged into the next (an export was still running)`
      if (!r.endedAt) {
        what += ', still running or killed (its last period is lost)'
        brief += ', still running or killed'
      }
    } else {
      what = `${r.state === 'off' ? 'NOT profiled' : 'dormant'} (${r.reason ?? 'no reason given'})`
      brief = what
    }
    const failures = [...r.failures, ...(relay?.failures ?? [])]
    if (failures.length > 0) what += `; failures: ${failures.slice(0, 3).join('; ')}${failures.length > 3 ? ` (+${failures.length - 3} more)` : ''}`
    if (crowded.has(r.pid) && r.threadId !== 0) {
      // Many threads in one process: one line for all of them, placed where the first one was.
      if (!grouped.has(r.pid)) rows.push(`\0${r.pid}`)
      grouped.set(r.pid, [...(grouped.get(r.pid) ?? []), failures.length > 0 ? `${brief}, with failures` : brief])
      continue
    }
    rows.push(`  ${who}  ${r.role.padEnd(wRole)}  ${r.command}: ${what}`)
  }
  for (const [pid, whats] of grouped) {
    const line = `  ${`${pid}/*`.padEnd(wPid)}  ${'worker_thread'.padEnd(wRole)}  ${whats.length} worker threads: ${tally(whats)}`
    rows[rows.indexOf(`\0${pid}`)] = line
  }
  const threads = reports.filter((r) => r.threadId !== 0).length
  const procs = reports.length - threads
  const who = `${plural(procs, 'Node process', 'Node processes')}${threads > 0 ? ` and ${plural(threads, 'worker thread', 'worker threads')}` : ''}`
  const head = `run summary: ${who}, ${profiled} profiled, ${plural(bundles, 'bundle', 'bundles')}`
  return [head, ...rows, ...orphanLines(reports, relayed), ...badLines]
}

/** What the relay did for a process that left no usable report (a bundle it refused, say): still one line each. */
function orphanLines(reports: readonly ProcessStatus[], relayed: ReadonlyMap<string, Relayed>): string[] {
  const known = new Set(reports.map((r) => relayKey(r.pid, r.threadId)))
  const lines: string[] = []
  for (const [key, r] of relayed) {
    if (known.has(key) || r.failures.length === 0) continue
    lines.push(`  ${key} (no report): failures: ${r.failures.slice(0, 3).join('; ')}${r.failures.length > 3 ? ` (+${r.failures.length - 3} more)` : ''}`)
  }
  return lines
}

/** Processes with more worker threads than this get one summary line for their threads. */
export const MAX_THREAD_LINES = 5

function crowdedThreads(reports: readonly ProcessStatus[]): Set<number> {
  const counts = new Map<number, number>()
  for (const r of reports) if (r.threadId !== 0) counts.set(r.pid, (counts.get(r.pid) ?? 0) + 1)
  return new Set([...counts].filter(([, n]) => n > MAX_THREAD_LINES).map(([pid]) => pid))
}

/** "12 x profiled, 1 bundle; 3 x dormant (...)": identical outcomes counted once. */
function tally(whats: readonly string[]): string {
  const counts = new Map<string, number>()
  for (const w of whats) counts.set(w, (counts.get(w) ?? 0) + 1)
  return [...counts].map(([w, n]) => `${n} x ${w}`).join('; ')
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`
}

function shortPath(p: string, cwd: string): string {
  if (!path.isAbsolute(p)) return p
  const rel = path.relative(cwd, p)
  return rel !== '' && !rel.startsWith('..') && rel.length < p.length ? rel : p
}
