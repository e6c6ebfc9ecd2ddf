// dd-run doctor: checks, end to end, that profiling can work here, with the settings of this environment (the
// same variables, ./.env and package.json a run would read). One line per check on stdout, a fix under each
// that is not ok; exit code 1 when something fails, 2 on bad input.
import { resolveLaunch } from '../config/resolve'
import * as checks from '../doctor/checks'
import type { Check } from '../doctor/check'
import { PRODUCT_VERSION } from '../version'
import type { Subcommand } from './index'
import { writeStdout } from '../log'

const USAGE = `Usage: dd-run doctor [--json]

Checks that profiling can work here: the Node.js version, the native profiler addon, a tiny Node process run
through dd-run (it must load the preload and write a profile), the agent (it must answer and accept an upload),
the output directory, and what runs as PID 1. Settings come from the environment, as for a run.
Exit code: 0 when nothing fails (warnings allowed), 1 when a check fails.
`

export const doctor: Subcommand = async (args) => {
  if (args.includes('-h') || args.includes('--help')) {
    writeStdout(USAGE)
    return 0
  }
  const unknown = args.filter((a) => a !== '--json')
  if (unknown.length > 0) {
    process.stderr.write(`dd-run: doctor: unknown argument ${JSON.stringify(unknown[0])}: expected --json or --help\n`)
    return 2
  }
  const json = args.includes('--json')
  const resolved = resolveLaunch({ flags: {}, env: process.env, envFiles: [], cwd: process.cwd() })
  const results: Check[] = []
  const say = (c: Check) => {
    results.push(c)
    if (!json) writeStdout(formatCheck(c))
  }
  if (!json) writeStdout(`dd-run doctor ${PRODUCT_VERSION}, Node ${process.version} on ${process.platform}-${process.arch}\n\n`)
  for (const p of resolved.problems) say({ name: 'settings', status: 'failure', detail: p, fix: 'see docs/configuration.md' })
  const config = resolved.config
  say(checks.nodeVersion())
  say(await checks.nativeAddon())
  const injected = await checks.injection(process.env, config.profilingEnabled !== false)
  say(injected.check)
  say(await checks.agent(config, injected.bundle))
  const agentless = checks.agentless(config)
  if (agentless) say(agentless)
  say(checks.outputDir(config))
  say(checks.init())
  const failures = results.filter((c) => c.status === 'failure').length
  const warnings = results.filter((c) => c.status === 'warning').length
  if (json) writeStdout(JSON.stringify({ version: PRODUCT_VERSION, checks: results, failures, warnings }, null, 2) + '\n')
  else writeStdout(`\n${plural(failures, 'failure')}, ${plural(warnings, 'warning')}${failures > 0 ? ': profiling will not work as configured' : ''}\n`)
  return failures > 0 ? 1 : 0
}

export function formatCheck(c: Check): string {
  const line = `${c.status.padEnd(8)} ${c.name.padEnd(16)} ${c.detail}\n`
  return c.fix && c.status !== 'ok' ? `${line}${' '.repeat(26)}fix: ${c.fix}\n` : line
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`
}
