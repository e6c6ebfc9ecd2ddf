// dd-run's command line: `dd-run [options] [--] <command> [args...]` and the subcommands. Parses, resolves the
// configuration, then hands over to the launch steps. Nothing here runs in the profiled processes.
import type { Command, Option } from 'commander'
import { fastParse, optionDefs, type LauncherFlags, type Parsed } from './cli-args'
import { SUBCOMMANDS } from './commands/index'
import type { Layer } from './config/layers'
import { resolveLaunch } from './config/resolve'
import { SCHEMA, type Key, type Setting } from './config/schema'
import { bool } from './config/value-types'
import { createLogger, colorPainter, wantsColor, writeStdout, type Logger } from './log'
import { PRODUCT_VERSION } from './version'

const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value]

function buildProgram(): { program: Command; options: Map<Key, Option[]> } {
  const { Command, Option } = require('commander') as typeof import('commander')
  const program = new Command('dd-run')
  const options = new Map<Key, Option[]>()
  program
    .usage('[options] [--] <command> [args...]')
    .description('Runs a command with continuous profiling in every Node.js process it starts.')
    .argument('[command...]', 'the program to run, with its arguments (passed through untouched)')
    .passThroughOptions()
    .allowExcessArguments(true)
    .helpOption('-h, --help', 'show this help')
    .version(PRODUCT_VERSION, '-v, --version', 'print the dd-run version')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => writeStdout(s),
      writeErr: (s) => process.stderr.write(s),
      outputError: (s, write) => write(`dd-run: ${s.replace(/^error: /, '')}`),
    })
  // The same table as the fast parser's (cli-args.ts).
  for (const def of optionDefs()) {
    let desc = def.help ?? ''
    if ('key' in def.target) {
      const key = def.target.key
      const list = options.get(key) ?? []
      if (def.target.negate) desc = `the opposite of ${list[0]?.long}`
      else {
        const row = SCHEMA[key] as Setting<unknown>
        const d = row.defaultText ?? (row.default === undefined ? undefined : row.type.format(row.default))
        desc = `${row.doc} [${row.env}${d ? `, default ${d}` : ''}]`
      }
      const opt = new Option(def.flags, desc)
      if (def.repeatable) opt.argParser(collect)
      program.addOption(opt)
      options.set(key, [...list, opt])
    } else {
      const opt = new Option(def.flags, desc)
      if (def.repeatable) opt.argParser(collect)
      program.addOption(opt)
    }
  }
  program.addHelpText(
    'after',
    `
Subcommands:
  dd-run report [dir]            a self-contained HTML flame-graph report of a profile directory
  dd-run top [dir]               the hottest functions, in the terminal
  dd-run diff <before> <after>   what got more expensive between two profile directories
  dd-run doctor                  checks that profiling can work here
  dd-run snapshot [pid]          a profile now from each process of a running launch, and where its main thread is
  (dd-run -- report runs a program called report.)

Every option has a DD_* variable; the flag wins over the environment, which wins over --env-file files, ./.env
(DD_* keys only) and the nearest package.json. See docs/configuration.md.

Examples:
  dd-run node server.js
  DD_ENV=prod DD_SERVICE=web dd-run npm start
  dd-run -o profiles/ --upload-period 10 node batch.js`,
  )
  return { program, options }
}

/** argv as process.argv; exported for the test that holds the fast parser to commander's results. */
export function commanderParse(argv: string[]): Parsed {
  const { program, options } = buildProgram()
  program.parse(argv, { from: 'node' })
  const flags: Layer = {}
  for (const [key, opts] of options) {
    for (const opt of opts) {
      const attr = opt.attributeName()
      if (program.getOptionValueSource(attr) !== 'cli') continue
      const value: unknown = program.getOptionValue(attr)
      const raw = Array.isArray(value) ? value.join(',') : String(value)
      // -p and --no-profiling share one attribute; name whichever the user wrote.
      const name = value === false && opts[1] ? (opts[1].long as string) : (opts[0]?.long as string)
      flags[key] = { raw, source: 'flag', name }
    }
  }
  const o = program.opts<Record<string, unknown>>()
  const launcher: LauncherFlags = {
    envFile: (o.envFile as string[] | undefined) ?? [],
    ...(o.info ? { info: true } : {}),
    ...(o.json ? { json: true } : {}),
    ...(o.dryRun ? { dryRun: true } : {}),
    ...(o.color === false ? { color: false } : {}),
  }
  return { flags, launcher, command: program.args }
}

function parse(argv: string[]): Parsed {
  // The common forms (`dd-run node app.js`, `dd-run -o dir --service web node app.js`) without loading commander.
  return fastParse(argv) ?? commanderParse(argv)
}

export async function main(argv: string[]): Promise<number | undefined> {
  const first = argv[2]
  const sub = first === undefined ? undefined : SUBCOMMANDS[first]
  if (sub) return (await sub())(argv.slice(3))

  let parsed: Parsed
  try {
    parsed = parse(argv)
  } catch (err) {
    if (err instanceof (require('commander') as typeof import('commander')).CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return 0
      return 2
    }
    throw err
  }
  const { flags, launcher, command } = parsed
  const resolved = resolveLaunch({ flags, env: process.env, envFiles: launcher.envFile, cwd: process.cwd() })
  const earlyDebug = bool().parse(process.env.DD_TRACE_DEBUG ?? '')
  const color = wantsColor(process.env, process.stderr, launcher.color)
  const painter = color ? colorPainter() : undefined
  // Values typed as flags stop here; values from the environment and env files too with --strict (for CI), else
  // each is one warning and its default is used: the app runs (see docs/configuration.md).
  const fatal = resolved.config.strict ? resolved.problems : resolved.flagProblems
  if (fatal.length > 0) {
    const log = createLogger({ ...(painter ? { painter } : {}) })
    for (const p of fatal) log.error(p)
    log.error(`nothing was run; see dd-run --help or docs/configuration.md${resolved.config.strict ? ' (--strict: values from the environment count too)' : ''}`)
    return 2
  }
  const ignored = resolved.problems.map((p) => `${p}; using the default (--strict stops instead)`)
  const { config } = resolved
  const log: Logger = createLogger({
    debug: config.debug || (earlyDebug.ok && earlyDebug.value),
    quiet: config.quiet,
    ...(painter ? { painter } : {}),
  })

  // Exporters are decided once here (probing for an agent if need be) so every process of the run agrees.
  const { decideExporters } = require('./export/choose') as typeof import('./export/choose')
  // Started, not awaited yet: when it must probe for an agent, the connection is under way while the launcher loads
  // the modules of its next steps (issue #18). Nothing is printed meanwhile, so the output keeps its order.
  const deciding = decideExporters(resolved, (m) => log.debug(m))
  const { typoWarnings } = require('./config/typos') as typeof import('./config/typos')
  const typos = typoWarnings(process.env)
  if (!launcher.info) {
    require('./launch/prepare')
    if (!launcher.dryRun && command.length > 0) require('./launch/run')
  }
  const decided = await deciding

  if (launcher.info) {
    // --info lists the ignored values and the typos among its warnings rather than before its table.
    const { printInfo } = require('./launch/info') as typeof import('./launch/info')
    await printInfo(decided.resolved, { json: launcher.json === true, command, exporters: decided.choice, extraWarnings: [...ignored, ...typos] })
    return 0
  }
  for (const w of [...ignored, ...typos]) log.warn(w)
  const { prepareLaunch } = require('./launch/prepare') as typeof import('./launch/prepare')
  const prepared = prepareLaunch(decided.resolved, process.env, log)
  if (!prepared.ok) {
    log.error(prepared.error)
    return 2
  }
  if (launcher.dryRun) {
    const { printDryRun } = require('./launch/dry-run') as typeof import('./launch/dry-run')
    printDryRun(process.env, prepared.env)
    return 0
  }
  if (command.length === 0) {
    process.stderr.write('Usage: dd-run [options] [--] <command> [args...]\nTry dd-run --help for more.\n')
    return 2
  }
  const { run } = require('./launch/run') as typeof import('./launch/run')
  return run(command, prepared, decided.resolved.config, log, ignored)
}
