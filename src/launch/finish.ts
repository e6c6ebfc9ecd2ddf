// After the command's own process exits: wait (bounded) for the profiled processes of its group that are still
// ending, hand the profiles they spooled to the exporters, remove what killed ones left half-written, print the run
// summary, remove the channel. Nothing here changes dd-run's exit status: that is the command's.
import type { Config } from '../config/schema'
import type { Logger } from '../log'
import { readStatuses } from '../run/status'
import { removeChannel } from './channel'
import { livingInGroup } from './linger'
import { removeLeftovers } from './leftovers'
import { relaySpool } from './relay'
import { summaryLines } from './summary'
import type { ChildExit } from './supervise'

export interface FinishContext {
  channel: string
  config: Config
  log: Logger
  runId: string
  exit: ChildExit
  /** The command's process group and whether it was asked to stop; without it, nothing is waited for. */
  group?: { pgid: number; readonly stopRequested: boolean }
  /** Settings whose bad value was replaced by the default: the summary repeats them, the start is long gone. */
  ignored?: readonly string[]
}

/**
 * After the command exited on its own, the longest dd-run waits for the rest of its profiled processes: they are
 * normally ending too (npm exits as soon as its script's shell does).
 */
export const LINGER_MS = 2_000
/**
 * After dd-run forwarded a signal that ends processes (Ctrl-C, docker stop, systemd): the longest it waits for the
 * command's profiled processes to drain and write their final profile. Kubernetes' default grace period; Docker's
 * is 10 s, and a container runtime's SIGKILL ends the wait sooner anyway.
 */
export const SHUTDOWN_MS = 30_000
/** Beyond DD_PROFILING_FLUSH_TIMEOUT, the time the relay may take to write what it could not deliver to files. */
export const RELAY_MARGIN_MS = 2_000

export async function finishRun(ctx: FinishContext): Promise<void> {
  try {
    if (ctx.group) await waitForProfiled(ctx, () => readStatuses(ctx.channel))
    const relayTimeout = ctx.config.flushTimeout * 1000 + RELAY_MARGIN_MS
    const relayed = await relaySpool(ctx.channel, ctx.config, ctx.log, relayTimeout)
    // A process that ended while the first pass relayed (one outside the command's group, or one the wait gave up
    // on) left its bundle after that pass read the spool: a second pass relays what is new, nothing twice.
    const late = await relaySpool(ctx.channel, ctx.config, ctx.log, relayTimeout)
    for (const [key, r] of late) {
      const first = relayed.get(key)
      if (!first) relayed.set(key, r)
      else {
        for (const [name, n] of Object.entries(r.sent)) first.sent[name] = (first.sent[name] ?? 0) + n
        first.failures.push(...r.failures)
      }
    }
    const statuses = readStatuses(ctx.channel)
    const leftovers = await removeLeftovers(ctx.config.outputDir, statuses)
    if (leftovers > 0) ctx.log.debug(`removed ${leftovers} partial bundle(s) of processes killed while writing`)
    if (!ctx.config.quiet) {
      for (const line of summaryLines(statuses, relayed, process.cwd())) ctx.log.info(line)
      for (const p of ctx.ignored ?? []) ctx.log.info(`  setting ignored: ${p}`)
    }
  } catch (err) {
    ctx.log.warn(`could not finish the run: ${(err as Error).message}`)
  } finally {
    try {
      removeChannel(ctx.channel)
    } catch (err) {
      // A file someone else put there, a read-only mount: the run is over either way, and the exit status stays.
      ctx.log.debug(`could not remove the run channel ${ctx.channel}: ${(err as Error).message}`)
    }
  }
}

/** Waits for the profiled processes of the command's group that have not ended yet; a bound, never forever. */
async function waitForProfiled(ctx: FinishContext, reports: () => readonly { pid: number; threadId: number; state: string; endedAt?: string }[]): Promise<void> {
  const group = ctx.group as NonNullable<FinishContext['group']>
  const pending = (): number[] =>
    reports()
      .filter((r) => r.threadId === 0 && r.state === 'profiled' && !r.endedAt && r.pid !== process.pid)
      .map((r) => r.pid)
  const start = Date.now()
  let left = livingInGroup(pending(), group.pgid)
  if (left.length === 0) return
  ctx.log.debug(`waiting for ${left.length} profiled process(es) of the command to end: ${left.join(', ')}`)
  // The bound grows when a stop is asked for while dd-run waits (a Ctrl-C after the command's own process exited).
  while (left.length > 0 && Date.now() - start < (group.stopRequested ? SHUTDOWN_MS : LINGER_MS)) {
    await new Promise((r) => setTimeout(r, 25))
    left = livingInGroup(pending(), group.pgid)
  }
  if (left.length > 0) ctx.log.debug(`gave up waiting for ${left.join(', ')} after ${Date.now() - start} ms`)
}
