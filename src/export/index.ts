// Builds the exporters a configuration names. Each exporter module is loaded only when it is used, so a process
// that writes files never loads the HTTP client code and the other way round.
import type { Config } from '../config/schema'
import type { Logger } from '../log'
import type { Exporter } from './types'

export function createExporters(config: Config, log: Logger): Exporter[] {
  const names = config.exporters ?? ['file']
  return names.map((name) => {
    switch (name) {
      case 'file':
        return (require('./file') as typeof import('./file')).createFileExporter(config, log)
      case 'agent':
        return (require('./agent') as typeof import('./agent')).createAgentExporter(config, log)
      case 'agentless':
        return (require('./agent') as typeof import('./agent')).createAgentlessExporter(config, log)
    }
  })
}
