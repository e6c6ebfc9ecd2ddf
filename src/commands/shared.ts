// What top, report and diff share: the profile-selection options, the default directory, the source-map setting,
// and the two ways they fail (bad usage: exit 2; nothing to show: exit 1).
import * as fs from 'node:fs'
import * as path from 'node:path'
import { Command, CommanderError, Option } from 'commander'
import { fromEnv } from '../config/layers'
import { ROLES } from '../export/bundle'
import { PROFILE_TYPES, type ProfileType } from '../report/types'
import { listProfiles, parseTime, type Filters, type ProfileEntry } from '../report/load'
import type { ProfilerFrames } from '../report/frame-names'
import { SourceMaps } from '../sourcemap/source-maps'
import { createLogger, writeStdout } from '../log'

export const log = createLogger()

/** A mistake in the command line; the message names the option, the value and what was expected. */
export class UsageError extends Error {}
/** Nothing matched: exit 1 with the message. */
export class NothingFound extends Error {}

export function newCommand(name: string, description: string): Command {
  return new Command(`dd-run ${name}`)
    .description(description)
    .helpOption('-h, --help', 'show this help')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => writeStdout(s),
      writeErr: (s) => process.stderr.write(s),
      outputError: (s, write) => write(`dd-run: ${s.replace(/^error: /, '')}`),
    })
}

/** The selection options; `withType` adds --type (report shows every type, so it has none). */
export function addFilterOptions(cmd: Command, withType = true): Command {
  if (withType) {
    cmd.addOption(new Option('--type <type>', 'profile type: cpu, wall, space (heap in use), alloc (bytes allocated, Node 26+), events (GC pauses), blocks (event-loop blocking) or exceptions').default('cpu'))
  }
  cmd.addOption(new Option('--label <key=value>', 'only samples with this label (withLabels, or the labels of events and exceptions)'))
  return cmd
    .addOption(new Option('--service <name>', 'only profiles of this service'))
    .addOption(new Option('--pid <pid>', 'only profiles of this process id'))
    .addOption(new Option('--role <role>', `only processes of this role: ${ROLES.join(', ')}`))
    .addOption(new Option('--run <id>', 'only profiles of this run (DD_RUN_ID, or its first characters)'))
    .addOption(new Option('--since <time>', 'only profiles that end after this time: ISO 8601, or a duration ago such as 15m, 2h, 1d'))
    .addOption(new Option('--until <time>', 'only profiles that start before this time (same forms as --since)'))
    .addOption(new Option('--profiler-frames <how>', "the profiler's own frames (dd-run, @datadog/pprof): group (one line), hide (their samples left out) or show").choices(['group', 'hide', 'show']).default('group'))
    .addOption(new Option('--no-source-map', 'show generated locations, not the original ones from source maps [DD_PROFILING_SOURCE_MAP]'))
}

export interface Selection {
  type: ProfileType
  label?: { key: string; value: string }
  filters: Filters
  sourceMap: boolean
  /** The profiler's own frames: one line, left out, or as they are (report/frame-names.ts). */
  profilerFrames: ProfilerFrames
}


export function readSelection(cmd: Command): Selection {
  const o = cmd.opts<Record<string, string | boolean | undefined>>()
  const type = String(o.type ?? 'cpu')
  if (!(PROFILE_TYPES as readonly string[]).includes(type)) throw new UsageError(`--type ${JSON.stringify(type)}: expected cpu, wall, space, alloc, events, blocks or exceptions`)
  let label: Selection['label']
  if (typeof o.label === 'string') {
    const at = o.label.indexOf('=')
    if (at <= 0) throw new UsageError(`--label ${JSON.stringify(o.label)}: expected key=value, such as route=/users/:id`)
    label = { key: o.label.slice(0, at), value: o.label.slice(at + 1) }
  }
  const filters: Filters = {}
  if (typeof o.service === 'string') filters.service = o.service
  if (typeof o.pid === 'string') {
    if (!/^\d+$/.test(o.pid)) throw new UsageError(`--pid ${JSON.stringify(o.pid)}: expected a process id (a whole number)`)
    filters.pid = o.pid
  }
  if (typeof o.role === 'string') {
    if (!(ROLES as readonly string[]).includes(o.role)) throw new UsageError(`--role ${JSON.stringify(o.role)}: expected one of ${ROLES.join(', ')}`)
    filters.role = o.role
  }
  if (typeof o.run === 'string') filters.runId = o.run
  for (const key of ['since', 'until'] as const) {
    const raw = o[key]
    if (typeof raw !== 'string') continue
    const t = parseTime(raw)
    if (t === undefined) throw new UsageError(`--${key} ${JSON.stringify(raw)}: expected an ISO 8601 time (2026-11-24T21:00:00Z) or a duration ago (30s, 15m, 2h, 1d)`)
    filters[key] = t
  }
  // The flag wins; otherwise DD_PROFILING_SOURCE_MAP (on by default).
  const sourceMap = cmd.getOptionValueSource('sourceMap') === 'cli' ? o.sourceMap !== false : envSettings().sourceMap
  const profilerFrames = (o.profilerFrames ?? 'group') as ProfilerFrames
  return { type: type as ProfileType, filters, sourceMap, profilerFrames, ...(label ? { label } : {}) }
}

/** The two settings these commands read from the environment; a bad value of either is a usage error. */
function envSettings(): { outputDir: string; sourceMap: boolean } {
  const { config, problems } = fromEnv(process.env)
  const bad = problems.find((p) => p.startsWith('DD_PROFILING_OUTPUT_DIR=') || p.startsWith('DD_PROFILING_SOURCE_MAP='))
  if (bad) throw new UsageError(bad)
  return { outputDir: config.outputDir, sourceMap: config.sourceMap }
}

/** The output directory dd-run writes to by default (DD_PROFILING_OUTPUT_DIR, else ./dd-profiles). */
export function defaultDir(): string {
  return envSettings().outputDir
}

export function describeFilters(f: Filters): string {
  const parts: string[] = []
  if (f.service) parts.push(`service ${f.service}`)
  if (f.pid) parts.push(`pid ${f.pid}`)
  if (f.role) parts.push(`role ${f.role}`)
  if (f.runId) parts.push(`run ${f.runId}`)
  if (f.since !== undefined) parts.push(`since ${new Date(f.since).toISOString()}`)
  if (f.until !== undefined) parts.push(`until ${new Date(f.until).toISOString()}`)
  return parts.length ? ` matching ${parts.join(', ')}` : ''
}

/** The profiles of `dir` that pass the filters; throws NothingFound with a message saying where it looked. */
export function select(dir: string, filters: Filters): ProfileEntry[] {
  const { entries, skipped } = listProfiles(dir, filters)
  for (const s of skipped) log.warn(`skipped ${s.dir}: ${s.reason}`)
  if (entries.length === 0) {
    const what = describeFilters(filters)
    const how = dir === defaultDir() ? 'dd-run <command> writes them there' : `dd-run -o ${dir} <command> writes them there`
    throw new NothingFound(`no profiles${what} in ${dir}; ${how}`)
  }
  return entries
}

export function sourceMapsFor(sel: Selection): SourceMaps | undefined {
  return sel.sourceMap ? new SourceMaps() : undefined
}

/** Says which source maps could not be used (their frames stay unmapped), then frees them. */
export function closeSourceMaps(maps: SourceMaps | undefined): void {
  if (!maps) return
  for (const p of maps.problems) log.warn(`${p}; its frames are shown unmapped`)
  maps.destroy()
}

export function parseCount(raw: string, name: string): number {
  if (!/^\d+$/.test(raw)) throw new UsageError(`${name} ${JSON.stringify(raw)}: expected a whole number (0 for all)`)
  return Number(raw)
}

/** Runs a subcommand body, turning the known failures into exit codes and one clear line each. */
export async function guard(body: () => Promise<number>): Promise<number> {
  try {
    return await body()
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.code === 'commander.helpDisplayed' || err.code === 'commander.version' ? 0 : 2
    }
    if (err instanceof UsageError) {
      log.error(err.message)
      return 2
    }
    if (err instanceof NothingFound) {
      log.error(err.message)
      return 1
    }
    log.error((err as Error).message)
    return 1
  }
}

/** Terminal width for tables: the TTY's columns, 80 otherwise. */
export function terminalWidth(): number {
  return process.stdout.isTTY && process.stdout.columns ? process.stdout.columns : 80
}

/** One side of a comparison (diff, report A B): a profile directory, or a run id found in `runsDir`. */
export function selectSide(arg: string, filters: Filters, runsDir: string): { label: string; entries: ProfileEntry[] } {
  const asDir = path.resolve(arg)
  if (fs.existsSync(asDir) && fs.statSync(asDir).isDirectory()) return { label: arg, entries: select(asDir, filters) }
  if (!/^[0-9a-fA-F-]{4,}$/.test(arg)) throw new UsageError(`${JSON.stringify(arg)}: expected a profile directory or a run id; no such directory`)
  try {
    return { label: `run ${arg}`, entries: select(runsDir, { ...filters, runId: arg }) }
  } catch (err) {
    if (err instanceof NothingFound) throw new NothingFound(`${JSON.stringify(arg)} is neither a directory nor a run id found in ${runsDir}`)
    throw err
  }
}
