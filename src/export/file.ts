// Placeholder until the file exporter lands.
import type { Config } from '../config/schema'
import type { Logger } from '../log'
import type { Exporter } from './types'

export function createFileExporter(_config: Config, _log: Logger): Exporter {
  throw new Error('the file exporter is not built yet')
}
