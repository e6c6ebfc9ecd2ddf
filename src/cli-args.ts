// The launcher's options, in one table that both parsers read: commander's (src/cli.ts, for --help, --version and
// every error message) and the small one below, which takes the common forms without loading commander. Loading
// and configuring commander was about 7.5 ms of the launcher's 16 ms from main() to the spawn (issue #18).
//
// The fast parser accepts only what it is sure of, and returns undefined for anything else (an unknown option, -h,
// -v, clustered short flags like -dq, a missing value, a value starting with '-', an -sweb form...): commander then
// parses the same argv, with its own errors, exit codes and help. On what it accepts, its result equals
// commander's (test/unit/cli-args.test.ts runs a corpus through both).
import type { Layer } from './config/layers'
import { KEYS, SCHEMA, type Key, type Setting } from './config/schema'

/** Options of the launcher itself, which are not settings passed to the profiled processes. */
export interface LauncherFlags {
  envFile: string[]
  info?: boolean
  json?: boolean
  dryRun?: boolean
  color?: boolean
}

export interface Parsed {
  flags: Layer
  launcher: LauncherFlags
  command: string[]
}

export interface OptionDef {
  /** Commander flag syntax: '-s, --service <name>', '--no-color'. */
  flags: string
  /** The setting it sets (negate: a --no-x that sets it to false), or the launcher's own field. */
  target: { key: Key; negate?: true } | { launcher: keyof LauncherFlags }
  /** Given several times, the values are collected (a setting's are then joined with commas). */
  repeatable?: boolean
  /** --help text of a launcher option; a setting's is made from its schema row (cli.ts). */
  help?: string
}

/** The launcher's own options, after the settings' flags in --help. */
const LAUNCHER_OPTIONS: readonly OptionDef[] = [
  { flags: '--env-file <path>', target: { launcher: 'envFile' }, repeatable: true, help: 'read variables from this file (repeatable; a later file wins)' },
  { flags: '-i, --info', target: { launcher: 'info' }, help: 'show every setting with its source, then exit' },
  { flags: '--json', target: { launcher: 'json' }, help: 'with --info: print JSON' },
  { flags: '--dry-run', target: { launcher: 'dryRun' }, help: 'print what would change in the environment of the command, then exit' },
  { flags: '--no-color', target: { launcher: 'color' }, help: 'no colour in dd-run\'s output (NO_COLOR is honoured too)' },
]

/** Every option of `dd-run [options] <command>` but -h and -v, in --help's order: the settings', then the launcher's. */
export function optionDefs(): OptionDef[] {
  const defs: OptionDef[] = []
  for (const key of KEYS) {
    const row = SCHEMA[key] as Setting<unknown>
    if (!row.flag) continue
    defs.push({ flags: row.flag, target: { key }, ...(row.repeatable ? { repeatable: true } : {}) })
    if (row.negate) defs.push({ flags: row.negate, target: { key, negate: true } })
  }
  return [...defs, ...LAUNCHER_OPTIONS]
}

/** '-s, --service <name>' → short, long and whether a value follows; undefined for a syntax not handled here. */
function syntax(flags: string): { short?: string; long: string; value: boolean } | undefined {
  const m = /^(?:(-[A-Za-z]), )?(--[a-z][a-z0-9-]*)( <[^<>]+>)?$/.exec(flags)
  if (!m) return undefined
  return { ...(m[1] ? { short: m[1] } : {}), long: m[2] as string, value: m[3] !== undefined }
}

interface Known {
  def: OptionDef
  value: boolean
  /** A --no-x flag: false when given (commander's rule, by the name). */
  negate: boolean
}

/** The result, or undefined when commander must decide (see the top of this file). argv as process.argv. */
export function fastParse(argv: readonly string[]): Parsed | undefined {
  const byName = new Map<string, Known>()
  /** Per setting, the long names of its flag and of its --no-x: commander names the one matching the value. */
  const longs = new Map<Key, { flag?: string; negate?: string }>()
  for (const def of optionDefs()) {
    const s = syntax(def.flags)
    // An option this parser cannot read stays unknown to it, so its use goes to commander.
    if (!s) continue
    const known = { def, value: s.value, negate: s.long.startsWith('--no-') }
    byName.set(s.long, known)
    if (s.short) byName.set(s.short, known)
    if ('key' in def.target) {
      const l = longs.get(def.target.key) ?? {}
      if (def.target.negate) l.negate = s.long
      else l.flag = s.long
      longs.set(def.target.key, l)
    }
  }

  const values = new Map<Key, string | boolean | string[]>()
  const launcher: Record<string, string | string[] | boolean> = {}
  const args = argv.slice(2)
  let command: string[] = []
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string
    // `--` ends the options and is dropped; the first argument that is not an option starts the command, and
    // everything after it is the command's, options included (commander's passThroughOptions).
    if (arg === '--') {
      command = args.slice(i + 1)
      break
    }
    if (arg.length < 2 || arg[0] !== '-') {
      command = args.slice(i)
      break
    }
    let name = arg
    let value: string | undefined
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1
    if (eq > 2) {
      name = arg.slice(0, eq)
      value = arg.slice(eq + 1)
    }
    const known = byName.get(name)
    if (!known) return undefined
    if (known.value) {
      if (value === undefined) value = args[++i]
      // Missing (commander's error) or looking like an option (commander takes it as the value; rare enough to
      // leave to it).
      if (value === undefined || value.startsWith('-')) return undefined
    } else if (value !== undefined) {
      return undefined // --debug=x: an error of commander's
    }
    const { target, repeatable } = known.def
    const v: string | boolean = value ?? !known.negate
    if ('key' in target) {
      const prev = values.get(target.key)
      values.set(target.key, repeatable ? [...(Array.isArray(prev) ? prev : []), v as string] : v)
    } else {
      const prev = launcher[target.launcher]
      launcher[target.launcher] = repeatable ? [...(Array.isArray(prev) ? prev : []), v as string] : v
    }
  }

  const flags: Layer = {}
  for (const key of KEYS) {
    const value = values.get(key)
    if (value === undefined) continue
    const l = longs.get(key) ?? {}
    const name = (value === false && l.negate ? l.negate : l.flag) as string
    flags[key] = { raw: Array.isArray(value) ? value.join(',') : String(value), source: 'flag', name }
  }
  return {
    flags,
    launcher: {
      envFile: (launcher.envFile as string[] | undefined) ?? [],
      ...(launcher.info ? { info: true } : {}),
      ...(launcher.json ? { json: true } : {}),
      ...(launcher.dryRun ? { dryRun: true } : {}),
      ...(launcher.color === false ? { color: false } : {}),
    },
    command,
  }
}
