// After the child exits: hand the profiles it spooled to the exporters, print the run summary, remove the channel.
import * as fs from 'node:fs'
import type { Config } from '../config/schema'
import type { Logger } from '../log'
import type { ChildExit } from './supervise'

export interface FinishContext {
  channel: string
  config: Config
  log: Logger
  runId: string
  exit: ChildExit
}

/** The longest the launcher waits for spooled bundles to be relayed before it gives up on them. */
export const RELAY_TIMEOUT_MS = 15_000

export async function finishRun(ctx: FinishContext): Promise<void> {
  try {
    const { relaySpool } = require('./relay') as typeof import('./relay')
    const { readReports } = require('../run/report') as typeof import('../run/report')
    const { summaryLines } = require('./summary') as typeof import('./summary')
    const relayed = await relaySpool(ctx.channel, ctx.config, ctx.log, RELAY_TIMEOUT_MS)
    if (!ctx.config.quiet) {
      for (const line of summaryLines(readReports(ctx.channel), relayed, process.cwd())) ctx.log.info(line)
    }
  } catch (err) {
    ctx.log.warn(`could not finish the run: ${(err as Error).message}`)
  } finally {
    fs.rmSync(ctx.channel, { recursive: true, force: true })
  }
}
