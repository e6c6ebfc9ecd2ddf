// dd-run snapshot [pid]: asks every profiled process of a running launch to export a profile now, and prints where
// each one's main thread is (its stack), as py-spy dump and jstack do. Works on a main thread stuck in a loop.
import { askSnapshot, findRuns, pickRun, privateChannelProblem, type ProcessSnapshot, type Run } from '../run/snapshot'
import { readLauncherInfo } from '../run/launcher-info'
import { guard, newCommand, NothingFound, UsageError } from './shared'
import type { Subcommand } from './index'
import { writeStdout } from '../log'

export const snapshot: Subcommand = (args) =>
  guard(async () => {
    const cmd = newCommand('snapshot', 'Ask a running dd-run launch for a profile of each of its processes now, and print where each main thread is.')
      .argument('[pid]', "the launcher's pid, or the pid of any process of the run (default: the only run there is)")
      .option('--channel <dir>', 'the run channel (DD_RUN_CHANNEL of the run) instead of a pid')
      .option('--timeout <ms>', 'how long to wait for the processes to answer', '5000')
      .option('--json', 'print JSON instead of text')
    cmd.parse(args, { from: 'user' })
    const o = cmd.opts<{ channel?: string; timeout: string; json?: boolean }>()
    const timeout = Number(o.timeout)
    if (!/^\d+$/.test(o.timeout) || timeout < 100 || timeout > 600_000) {
      throw new UsageError(`--timeout ${JSON.stringify(o.timeout)}: expected milliseconds between 100 and 600000`)
    }
    const rawPid = cmd.args[0]
    if (rawPid !== undefined && !/^[1-9]\d*$/.test(rawPid)) throw new UsageError(`pid ${JSON.stringify(rawPid)}: expected a process id`)
    let run: Run
    if (o.channel) {
      const problem = privateChannelProblem(o.channel)
      if (problem) throw new UsageError(`--channel ${problem}`)
      run = { channel: o.channel, launcher: readLauncherInfo(o.channel) ?? { pid: 0, command: '?', startedAt: '' } }
    } else {
      const picked = pickRun(findRuns(), rawPid === undefined ? undefined : Number(rawPid))
      if (typeof picked === 'string') throw new NothingFound(picked)
      run = picked
    }
    const results = await askSnapshot(run.channel, timeout)
    if (results.length === 0) throw new NothingFound(`dd-run ${run.launcher.pid} (${run.launcher.command}) has no running profiled process`)
    writeStdout(o.json ? JSON.stringify({ launcher: run.launcher, processes: results }, null, 2) + '\n' : render(run, results))
    return results.every((r) => r.answer && !r.answer.error) ? 0 : 1
  })

function render(run: Run, results: ProcessSnapshot[]): string {
  const lines = [`dd-run ${run.launcher.pid}: ${run.launcher.command}`]
  for (const { report, answer, missing } of results) {
    lines.push('', `pid ${report.pid}  ${report.role}  ${report.command}`)
    if (!answer) {
      lines.push(`  no snapshot: ${missing}`)
      continue
    }
    if (answer.error) {
      lines.push(`  no snapshot: its main thread could not be reached (${answer.error})`)
      continue
    }
    if (answer.seq !== undefined) {
      const where = Object.entries(answer.targets ?? {}).map(([e, t]) => `${e} ${t}`)
      const spooled = Object.keys(answer.spooled ?? {})
      lines.push(`  profile ${answer.seq} exported${where.length ? ` (${where.join(', ')})` : ''}${spooled.length ? `; for ${spooled.join(', ')} handed to dd-run, sent at the end of the run` : ''}`)
    } else if (answer.skipped) {
      lines.push(`  no profile: ${answer.skipped}`)
    }
    const stack = answer.stack ?? []
    if (stack.length === 0) lines.push('  main thread: idle, waiting in the event loop')
    else lines.push('  main thread:', ...stack.map((f) => `    at ${f}`))
  }
  return lines.join('\n') + '\n'
}
