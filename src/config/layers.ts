// Precedence and parsing over layers of raw text. Pure but for the working directory relative paths are resolved
// against; used by the launcher (flags, environment, env files, package.json), by the preload (environment only) and
// by the Profiler API (options, environment), so all read a value the same way.
import * as path from 'node:path'
import { printable } from './redact'
import { KEYS, SCHEMA, type Config, type Key, type Setting } from './schema'

export type Source = 'flag' | 'environment' | 'env file' | '.env' | 'package.json' | 'git checkout' | 'default'

export interface RawValue {
  readonly raw: string
  readonly source: Source
  /** The flag or variable the value came from, as the user wrote it. */
  readonly name: string
  /** The file, for values from env files and package.json. */
  readonly file?: string
}

/** One source of values; layers are passed highest precedence first. */
export type Layer = Partial<Record<Key, RawValue>>

export interface Resolved {
  readonly config: Config
  readonly sources: Readonly<Record<Key, RawValue | { source: 'default' }>>
  /** One line per bad value, each naming where it came from, the value and what was expected. */
  readonly problems: readonly string[]
  /**
   * The problems of values typed as flags: those stop the launcher (the user is right there). The others, from
   * the environment and env files, are warnings unless --strict (a deployment must not stop on a value meant for
   * another Datadog library).
   */
  readonly flagProblems: readonly string[]
}

export function describeOrigin(v: RawValue): string {
  return v.file ? `${v.name} (in ${v.file})` : v.name
}

export function resolveLayers(layers: readonly Layer[], cwd: string = process.cwd()): Resolved {
  const config: Record<string, unknown> = {}
  const sources: Record<string, RawValue | { source: 'default' }> = {}
  const problems: string[] = []
  const flagProblems: string[] = []
  for (const key of KEYS) {
    const row = SCHEMA[key] as Setting<unknown>
    const found = layers.map((l) => l[key]).find((v) => v !== undefined)
    if (found === undefined) {
      config[key] = row.default
      sources[key] = { source: 'default' }
      continue
    }
    const parsed = hostile(found.raw) ?? row.type.parse(found.raw)
    if (parsed.ok) {
      config[key] = parsed.value
      sources[key] = found
    } else {
      // Nothing of a secret, not even its end: a wrong value may be another secret pasted by mistake.
      const shown = row.secret ? '****' : showRaw(printable(row, found.raw))
      const problem = `${describeOrigin(found)}=${shown}: expected ${parsed.expected}`
      problems.push(problem)
      if (found.source === 'flag') flagProblems.push(problem)
      config[key] = row.default
      sources[key] = { source: 'default' }
    }
  }
  // The output directory is absolute from here on: the launcher, every process of its run, the commands that read
  // profiles and the API all mean the same directory, whatever their own working directory.
  config.outputDir = path.resolve(cwd, config.outputDir as string)
  return { config: Object.freeze(config) as Config, sources: sources as Resolved['sources'], problems, flagProblems }
}

/** No setting takes more than this many characters (a path is at most 4096 bytes on Linux). */
export const MAX_VALUE_LENGTH = 4096

/**
 * Checks every value must pass whatever its type: no control characters (a newline in a service name would reach
 * file names, tags and log lines) and a sane length. Undefined when the value may go on to its type's parser.
 */
function hostile(raw: string): { ok: false; expected: string } | undefined {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(raw)) return { ok: false, expected: 'a value without control characters (newlines, tabs, escapes)' }
  if (raw.length > MAX_VALUE_LENGTH) return { ok: false, expected: `at most ${MAX_VALUE_LENGTH} characters (got ${raw.length})` }
  return undefined
}

/** A value as an error message shows it: quoted, escaped, and cut short when long. */
export function showRaw(raw: string): string {
  return raw.length > 80 ? `${JSON.stringify(raw.slice(0, 60))}... (${raw.length} characters)` : JSON.stringify(raw)
}

/** The layer of values an environment holds. Blank variables count as unset. */
export function envLayer(env: NodeJS.ProcessEnv, source: Source = 'environment', file?: string): Layer {
  const layer: Layer = {}
  for (const key of KEYS) {
    const row = SCHEMA[key] as Setting<unknown>
    // The main name first, then the aliases (dd-trace-js's and ddtrace-py's names) in the order of the schema.
    for (const name of [row.env, ...(row.aliases ?? [])]) {
      const raw = env[name]
      if (raw === undefined || raw.trim() === '') continue
      layer[key] = { raw, source, name, ...(file ? { file } : {}) }
      break
    }
  }
  return layer
}

/** Reads the configuration from an environment alone: what the preload does in every process. */
export function fromEnv(env: NodeJS.ProcessEnv): Resolved {
  return resolveLayers([envLayer(env)])
}

/**
 * The child's environment: `base` with the configuration written over it. Every value that differs from its default
 * is set; a value back at its default (a flag may have set it so) is written out too when `base` says otherwise.
 */
export function withConfig(base: NodeJS.ProcessEnv, config: Config): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base }
  const written = toEnv(config)
  for (const key of KEYS) {
    const row = SCHEMA[key] as Setting<unknown>
    const value = written[row.env]
    if (value !== undefined) env[row.env] = value
    else if (env[row.env] !== undefined && env[row.env]?.trim() !== '' && row.default !== undefined) env[row.env] = row.type.format(row.default)
  }
  return env
}

/** The DD_* variables that carry a configuration to a child: every value that differs from its default. */
export function toEnv(config: Config): Record<string, string> {
  const out: Record<string, string> = {}
  for (const key of KEYS) {
    const row = SCHEMA[key] as Setting<unknown>
    const value = config[key]
    if (value === undefined) continue
    const text = row.type.format(value)
    if (row.default !== undefined && text === row.type.format(row.default)) continue
    out[row.env] = text
  }
  return out
}
