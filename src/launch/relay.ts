// The launcher's half of the spool: bundles a process could not send at exit (its exporter needs the network) are
// handed to a fresh exporter of the same kind here, in the launcher, which outlives its child. Each spooled bundle
// is removed once handled, so a second pass (for processes that ended during the first) relays nothing twice. What
// cannot be delivered ends where a process's own final bundle would (src/export/final.ts): the output directory.
import * as fs from 'node:fs'
import type { Config, ExporterName } from '../config/schema'
import { keepInOutputDir } from '../export/final'
import { createExporters } from '../export/index'
import { readSpool } from '../export/spool'
import type { Exporter } from '../export/types'
import type { Logger } from '../log'
import { relayKey, type Relayed } from './summary'

export async function relaySpool(channel: string, config: Config, log: Logger, timeoutMs: number): Promise<Map<string, Relayed>> {
  const out = new Map<string, Relayed>()
  const spooled = readSpool(channel)
  if (spooled.length === 0) return out
  const entry = (pid: number, threadId: number): Relayed => {
    const key = relayKey(pid, threadId)
    let r = out.get(key)
    if (!r) out.set(key, (r = { sent: {}, failures: [] }))
    return r
  }
  const exporters = new Map<string, Exporter | Error>()
  const lastWarning = new Map<string, string>()
  const exporterFor = (name: string): Exporter | Error => {
    let e = exporters.get(name)
    if (!e) {
      try {
        // The process already warned about this exporter, and the summary lists what the relay could not send:
        // with the exporter's own words, kept here, since they are not printed again.
        const relayLog: Logger = {
          ...log,
          warn: (msg) => {
            lastWarning.set(name, msg.replace(/^dd-run: /, ''))
            log.debug(msg)
          },
        }
        e = createExporters({ ...config, exporters: [name as ExporterName] }, relayLog)[0] ?? new Error(`unknown exporter ${name}`)
      } catch (err) {
        e = err as Error
      }
      exporters.set(name, e)
    }
    return e
  }
  // One at a time, so an exporter's own counters tell whether each bundle really went out.
  const handled = new Set<(typeof spooled)[number]>()
  const relayOne = async (s: (typeof spooled)[number]): Promise<void> => {
    try {
      await relayTo(s)
    } finally {
      handled.add(s)
      forget(s.dir)
    }
  }
  const relayTo = async (s: (typeof spooled)[number]): Promise<void> => {
    const r = entry(s.pid, s.threadId)
    const e = exporterFor(s.exporter)
    if (!s.bundle || e instanceof Error) {
      r.failures.push(`${s.exporter}: a final profile was not relayed: ${s.error ?? (e as Error).message}`)
      return
    }
    const before = e.stats?.()
    try {
      if (e.flush) {
        // Network exporters: all spooled bundles together get at most DD_PROFILING_FLUSH_TIMEOUT, even against an
        // agent that never answers; what is not delivered by then is written to the output directory, not lost.
        void e.export(s.bundle)
        if ((await e.flush(Math.max(0, flushDeadline - Date.now()))).length > 0) {
          const why = e.lastError?.() ?? lastWarning.get(s.exporter)
          throw new Error(`not delivered within DD_PROFILING_FLUSH_TIMEOUT (${config.flushTimeout} s)${why ? `, last attempt: ${why}` : ''}`)
        }
      } else await e.export(s.bundle)
      // Exporters that count for themselves say whether it really went out.
      const after = e.stats?.()
      if (before && after && after.sent === before.sent) {
        throw new Error(`not delivered (${e.lastError?.() ?? lastWarning.get(s.exporter) ?? 'the exporter gave up on it'})`)
      }
      r.sent[s.exporter] = (r.sent[s.exporter] ?? 0) + 1
    } catch (err) {
      r.failures.push(`${s.exporter}: a final profile was not relayed: ${(err as Error).message}${e.flush ? keepInFile(s.bundle) : ''}`)
    }
  }
  const flushDeadline = Date.now() + config.flushTimeout * 1000
  const keepInFile = (bundle: NonNullable<(typeof spooled)[number]['bundle']>): string => {
    try {
      // The run's own file exporter has it already; else it is written to the output directory now.
      const kept = keepInOutputDir(bundle, config, config.exporters?.includes('file') ? {} : undefined)
      return kept.written ? `; written to ${kept.target} instead` : ''
    } catch (err) {
      return `; could not be written to a file either: ${(err as Error).message}`
    }
  }
  const all = async (): Promise<void> => {
    for (const s of spooled) await relayOne(s)
  }
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs)
  })
  const result = await Promise.race([all().then(() => 'done' as const), timeout])
  if (timer) clearTimeout(timer)
  if (result === 'timeout') {
    // Something hung past every bound of its own: what was not handled yet is written to files, not dropped.
    log.warn(`gave up relaying the last profiles after ${timeoutMs / 1000} s`)
    for (const s of spooled) {
      if (handled.has(s)) continue
      handled.add(s)
      entry(s.pid, s.threadId).failures.push(`${s.exporter}: a final profile was not relayed in time${s.bundle ? keepInFile(s.bundle) : ''}`)
      forget(s.dir)
    }
  }
  return out
}

/** A handled spool entry goes, so that nothing is relayed twice; a failure here only costs a duplicate. */
function forget(dir: string): void {
  try {
    fs.rmSync(dir, { recursive: true, force: true })
  } catch {
    // The channel is removed as a whole at the end of the run anyway.
  }
}
