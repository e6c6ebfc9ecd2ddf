// --info: every setting, its value and where it came from; the agent address and whether it answers; warnings.
import { describeOrigin, type RawValue } from '../config/layers'
import type { LaunchConfig } from '../config/resolve'
import { printable } from '../config/redact'
import { KEYS, SCHEMA, type Setting } from '../config/schema'
import { agentAddress } from '../export/agent-address'
import type { ExporterChoice } from '../export/choose'
import { probeAgent } from '../export/probe'
import { LAUNCHER_MIN_NODE_MAJOR, nodeMajor, PROFILED_MIN_NODE_MAJOR } from '../node-support'
import { PRODUCT_VERSION } from '../version'
import { writeStdout } from '../log'

export interface InfoSetting {
  variable: string
  value: unknown
  source: string
}

export interface Info {
  version: string
  node: string
  /** The oldest Node each side supports (src/node-support.ts). */
  nodeSupport: { launcher: number; profiled: number }
  platform: string
  settings: Record<string, InfoSetting>
  agent: { url: string; reason: string; reachable: boolean }
  /** The exporters the run would use, and why (the launcher decides when DD_PROFILING_EXPORTERS is unset). */
  exporters?: ExporterChoice
  warnings: string[]
  command: string[]
}

export function sourceText(src: RawValue | { source: 'default' }): string {
  if (src.source === 'default') return 'default'
  if (src.source === 'flag') return `flag ${src.name}`
  if (src.source === 'environment') return 'environment'
  return `${src.source} ${describeOrigin(src as RawValue)}`
}

export function collectInfo(resolved: LaunchConfig, reachable: boolean, command: string[]): Info {
  const settings: Record<string, InfoSetting> = {}
  for (const key of KEYS) {
    const row = SCHEMA[key] as Setting<unknown>
    const raw = resolved.config[key]
    const value = raw !== undefined && (row.secret || row.hasAddress) ? printable(row, row.type.format(raw)) : raw
    settings[key] = { variable: row.env, value: value ?? null, source: sourceText(resolved.sources[key]) }
  }
  const c = resolved.config
  const agent = agentAddress(c)
  const warnings: string[] = []
  if (!c.service) warnings.push('DD_SERVICE is not set and no package.json names the service: profiles are filed as "node"')
  if (!c.env) warnings.push('DD_ENV is not set: profiles carry no env tag')
  if (!c.version) warnings.push('DD_VERSION is not set: profiles carry no version tag')
  const major = nodeMajor(process.version)
  if (major < LAUNCHER_MIN_NODE_MAJOR) warnings.push(`dd-run runs on Node ${process.version}: it is built and tested for Node ${LAUNCHER_MIN_NODE_MAJOR} or newer`)
  if (major < PROFILED_MIN_NODE_MAJOR) warnings.push(`Node ${process.version} is older than ${PROFILED_MIN_NODE_MAJOR}: the preload stays dormant in programs run with it`)
  if (!['linux', 'darwin', 'win32'].includes(process.platform) || !['x64', 'arm64'].includes(process.arch)) {
    warnings.push(`${process.platform}-${process.arch} has no prebuilt profiler addon: the preload stays dormant`)
  }
  if (!c.profilingEnabled) warnings.push('profiling is disabled: the command would run without the preload')
  return {
    version: PRODUCT_VERSION,
    node: process.version,
    nodeSupport: { launcher: LAUNCHER_MIN_NODE_MAJOR, profiled: PROFILED_MIN_NODE_MAJOR },
    platform: `${process.platform}-${process.arch}`,
    settings,
    agent: { url: agent.shown, reason: agent.reason, reachable },
    warnings,
    command,
  }
}

export function formatInfo(info: Info): string {
  const rows = Object.values(info.settings).map((s) => [s.variable, formatValue(s.value), s.source])
  const w0 = Math.max(...rows.map((r) => r[0]!.length))
  const w1 = Math.min(40, Math.max(...rows.map((r) => r[1]!.length)))
  const lines = [
    `dd-run ${info.version} on Node ${info.node} (${info.platform})`,
    `supports Node ${info.nodeSupport.launcher}+ for dd-run itself, Node ${info.nodeSupport.profiled}+ for the programs it profiles`,
    '',
  ]
  for (const [v, val, src] of rows) lines.push(`  ${v!.padEnd(w0)}  ${val!.padEnd(w1)}  ${src}`)
  lines.push('', `  agent: ${info.agent.url} (${info.agent.reason}): ${info.agent.reachable ? 'answers' : 'no answer'}`)
  if (info.exporters) lines.push(`  exporters: ${info.exporters.names.join(', ') || '-'} (${info.exporters.reason})`)
  if (info.command.length > 0) lines.push(`  command: ${info.command.join(' ')}`)
  if (info.warnings.length > 0) lines.push('', ...info.warnings.map((w) => `  warning: ${w}`))
  return lines.join('\n') + '\n'
}

function formatValue(v: unknown): string {
  if (v === null || v === undefined) return '-'
  if (Array.isArray(v)) return v.join(',')
  if (typeof v === 'object') return Object.entries(v as Record<string, string>).map(([k, x]) => `${k}:${x}`).join(',') || '-'
  return String(v)
}

export async function printInfo(resolved: LaunchConfig, opts: { json: boolean; command: string[]; exporters?: ExporterChoice; extraWarnings?: readonly string[] }): Promise<void> {
  const reachable = await probeAgent(agentAddress(resolved.config).url)
  const info = { ...collectInfo(resolved, reachable, opts.command), ...(opts.exporters ? { exporters: opts.exporters } : {}) }
  // Values ignored for the default, and likely typos of variable names: first, they explain the table.
  if (opts.extraWarnings) info.warnings.unshift(...opts.extraWarnings)
  writeStdout(opts.json ? JSON.stringify(info, null, 2) + '\n' : formatInfo(info))
}
