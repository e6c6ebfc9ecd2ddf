// Placeholder until the agent exporter lands.
import type { Config } from '../config/schema'
import type { Logger } from '../log'
import type { Exporter } from './types'

export function createAgentExporter(_config: Config, _log: Logger): Exporter {
  throw new Error('the agent exporter is not built yet')
}

export function createAgentlessExporter(_config: Config, _log: Logger): Exporter {
  throw new Error('the agentless exporter is not built yet')
}
