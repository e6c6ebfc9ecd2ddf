// Which exporters a run uses, decided once by the launcher and written into the child's environment, so every
// process of the tree agrees: the user's list when there is one; else the agent when an address is set or an agent
// answers at the default address (a short probe); else files. Also the cross-field checks of that choice.
import { describeOrigin, type RawValue } from '../config/layers'
import type { LaunchConfig } from '../config/resolve'
import type { Config, ExporterName } from '../config/schema'
import { agentAddress } from './agent-address'

export interface ExporterChoice {
  names: ExporterName[]
  /** Why, in words, for --debug and --info. */
  reason: string
}

export type Probe = (url: string) => Promise<boolean>

export async function chooseExporters(resolved: Pick<LaunchConfig, 'config' | 'sources'>, probe: Probe): Promise<ExporterChoice> {
  const { config } = resolved
  if (config.exporters && config.exporters.length > 0) {
    const src = resolved.sources.exporters
    return { names: config.exporters, reason: `set by ${src.source === 'default' ? 'default' : describeOrigin(src as RawValue)}` }
  }
  const address = agentAddress(config)
  if (address.configured) return { names: ['agent'], reason: `an agent address is set (${address.reason}: ${address.shown})` }
  if (await probe(address.url)) return { names: ['agent'], reason: `an agent answers at the default address ${address.shown}` }
  return { names: ['file'], reason: `no agent address is set and nothing answers at ${address.shown}` }
}

/** Settings that are each valid but do not work together. One line each, naming the variables. */
export function exporterProblems(config: Config, names: readonly ExporterName[], origin: string): string[] {
  const problems: string[] = []
  if (names.includes('agentless') && !config.apiKey) {
    problems.push(`${origin}=${names.join(',')}: agentless export needs DD_API_KEY, which is not set (set it, or choose the agent or file exporter)`)
  }
  return problems
}

/** The configuration with the choice written in, ready for toEnv(). */
export function withExporters<T extends Pick<LaunchConfig, 'config'>>(resolved: T, names: ExporterName[]): T {
  return { ...resolved, config: Object.freeze({ ...resolved.config, exporters: names }) }
}

export type Decision<T> = { ok: true; resolved: T; choice: ExporterChoice } | { ok: false; problems: string[] }

/** The launcher's step: choose (probing only when it must), check, and write the choice into the configuration. */
export async function decideExporters<T extends Pick<LaunchConfig, 'config' | 'sources'>>(
  resolved: T,
  debug: (msg: string) => void,
  probe: Probe = (url) => (require('./probe') as typeof import('./probe')).probeAgent(url),
): Promise<Decision<T>> {
  if (!resolved.config.profilingEnabled) return { ok: true, resolved, choice: { names: resolved.config.exporters ?? [], reason: 'profiling is disabled' } }
  const choice = await chooseExporters(resolved, probe)
  const src = resolved.sources.exporters
  const origin = src.source === 'default' ? 'DD_PROFILING_EXPORTERS' : describeOrigin(src as RawValue)
  const problems = exporterProblems(resolved.config, choice.names, origin)
  if (problems.length > 0) return { ok: false, problems }
  debug(`exporters: ${choice.names.join(', ')} (${choice.reason})`)
  return { ok: true, resolved: withExporters(resolved, choice.names), choice }
}
