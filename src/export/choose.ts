// Which exporters a run uses, decided once by the launcher and written into the child's environment, so every
// process of the tree agrees: the user's list when there is one; else the agent when an address is set or an agent
// answers at the default address (a short probe); else files.
import { describeOrigin, type RawValue } from '../config/layers'
import type { LaunchConfig } from '../config/resolve'
import type { ExporterName } from '../config/schema'
import { agentAddress } from './agent-address'
import { probeAgent } from './probe'

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

/** The configuration with the choice written in, ready for toEnv(). */
export function withExporters<T extends Pick<LaunchConfig, 'config'>>(resolved: T, names: ExporterName[]): T {
  return { ...resolved, config: Object.freeze({ ...resolved.config, exporters: names }) }
}

/**
 * The launcher's step: choose (probing only when it must) and write the choice into the configuration. Whether the
 * settings work together was checked with the rest of the configuration (config/resolve.ts).
 */
export async function decideExporters<T extends Pick<LaunchConfig, 'config' | 'sources'>>(
  resolved: T,
  debug: (msg: string) => void,
  probe: Probe = probeAgent,
): Promise<{ resolved: T; choice: ExporterChoice }> {
  if (!resolved.config.profilingEnabled) return { resolved, choice: { names: resolved.config.exporters ?? [], reason: 'profiling is disabled' } }
  const choice = await chooseExporters(resolved, probe)
  debug(`exporters: ${choice.names.join(', ')} (${choice.reason})`)
  return { resolved: withExporters(resolved, choice.names), choice }
}
