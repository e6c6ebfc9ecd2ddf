// Every way a run can end keeps the final profile and dd-run's exit status stays the command's: two signals at once,
// signals without handlers, abort(), an app that stubs process.kill, a signal to dd-run while it relays, a process
// that outlives the command's own, an agent that never answers for longer than the old hidden cap, a channel that
// cannot be removed, and a summary that must name the real reason a profile was not delivered.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import { after, describe, it } from 'node:test'
import { closedPort, FakeAgent } from '../helpers/fake-agent'
import { DD_RUN, fixture } from '../helpers/paths'
import { byProcess, listBundles } from '../helpers/profiles'
import { cleanEnv, killIfStill, start, tempDir, waitFor } from '../helpers/run'

const NO_HANDLER = fixture('supervision/no-handler.js')
const APP = fixture('reliability/app.js')
const DRAIN_ONCE = fixture('supervision/drain-once.js')

const agents: FakeAgent[] = []
after(() => Promise.all(agents.map((a) => a.close())))
/** The apps run in a session of dd-run's making: a test that fails ends them by pid. */
const appPids: number[] = []
after(() => {
  for (const pid of appPids) killIfStill(pid, 'test/fixtures/supervision/')
})

/** No core files from SIGQUIT and abort() in the test's directory. */
const NO_CORE = ['sh', '-c', 'ulimit -c 0; exec "$@"', 'sh']

interface Started {
  run: ReturnType<typeof start>
  stdout: () => string
  appPid: number
}

async function startApp(command: string[], env: NodeJS.ProcessEnv): Promise<Started> {
  const run = start(NO_CORE[0] as string, [...NO_CORE.slice(1), ...command], { env, cwd: tempDir() })
  let stdout = ''
  run.child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()))
  await waitFor(() => /ready (\d+)/.test(stdout), 30_000, `the app to start: ${stdout}`)
  const appPid = Number(/ready (\d+)/.exec(stdout)![1])
  appPids.push(appPid)
  return { run, stdout: () => stdout, appPid }
}

function finalSnapshot(out: string, pid: number): string | undefined {
  const mine = [...byProcess(listBundles(out)).entries()].find(([dir]) => dir.startsWith(`${pid}-`))
  return mine?.[1].at(-1)?.tags.snapshot
}

/** How bare node ends on this signal (or abort()), to compare dd-run's ending with. */
async function bareEnding(sig: NodeJS.Signals | 'abort'): Promise<string> {
  const app = await startApp([process.execPath, NO_HANDLER], cleanEnv(sig === 'abort' ? { ABORT: '1' } : {}))
  if (sig !== 'abort') process.kill(app.appPid, sig)
  const r = await app.run.done
  return `${r.code}/${r.signal}`
}

describe('signals and aborts keep the final profile and the same death', () => {
  it('two SIGTERMs a few ms apart (systemd signals dd-run and the app at once): the final profile is written, 3 runs of 3', async () => {
    for (let i = 0; i < 3; i++) {
      const out = tempDir()
      const app = await startApp([process.execPath, DD_RUN, process.execPath, NO_HANDLER], cleanEnv({ DD_PROFILING_OUTPUT_DIR: out }))
      process.kill(app.appPid, 'SIGTERM')
      process.kill(app.run.child.pid as number, 'SIGTERM')
      const r = await app.run.done
      assert.equal(r.signal, 'SIGTERM', r.stderr)
      assert.equal(finalSnapshot(out, app.appPid), 'on_shutdown', `run ${i + 1}: ${r.stderr}`)
    }
  })

  for (const sig of ['SIGHUP', 'SIGQUIT', 'SIGUSR2', 'SIGALRM'] as const) {
    it(`${sig} to dd-run, app without handlers: final profile, then the same death as bare node`, async () => {
      const out = tempDir()
      const app = await startApp([process.execPath, DD_RUN, process.execPath, NO_HANDLER], cleanEnv({ DD_PROFILING_OUTPUT_DIR: out }))
      process.kill(app.run.child.pid as number, sig)
      const r = await app.run.done
      assert.equal(`${r.code}/${r.signal}`, await bareEnding(sig), r.stderr)
      assert.equal(finalSnapshot(out, app.appPid), 'on_shutdown', r.stderr)
    })
  }

  it('SIGTERM to dd-run while the main thread never yields (no handler): the watchdog ends it as bare node ends, after the final profile', async () => {
    const out = tempDir()
    const app = await startApp([process.execPath, DD_RUN, process.execPath, fixture('supervision/spin.js')], cleanEnv({ DD_PROFILING_OUTPUT_DIR: out }))
    process.kill(app.run.child.pid as number, 'SIGTERM')
    const r = await app.run.done
    assert.equal(r.signal, 'SIGTERM', r.stderr)
    assert.equal(finalSnapshot(out, app.appPid), 'on_shutdown', r.stderr)
    assert.doesNotMatch(r.stderr, /Waiting for the debugger/)
  })

  it('an app that drains on process.once(\'SIGTERM\') for longer than the watchdog\'s grace: it drains to the end and exits 0, as bare node', async () => {
    // The watchdog acts on a forwarded SIGTERM only when the main thread has not received it: a draining app's
    // listener is gone once it has run, and the watchdog must not mistake that for a stuck thread with no handler.
    const out = tempDir()
    const app = await startApp([process.execPath, DD_RUN, process.execPath, DRAIN_ONCE], cleanEnv({ DD_PROFILING_OUTPUT_DIR: out }))
    process.kill(app.run.child.pid as number, 'SIGTERM')
    const r = await app.run.done
    assert.match(app.stdout(), /draining\ndrained\n/, r.stderr)
    assert.equal(`${r.code}/${r.signal}`, '0/null', r.stderr)
    assert.equal(finalSnapshot(out, app.appPid), 'on_shutdown', r.stderr)
  })

  it('a second SIGTERM while that app drains ends it, as bare node (the once listener is gone)', async () => {
    const bare = await startApp([process.execPath, DRAIN_ONCE], cleanEnv({ DRAIN_MS: '5000' }))
    process.kill(bare.appPid, 'SIGTERM')
    await waitFor(() => /draining/.test(bare.stdout()), 10_000, 'bare node to start draining')
    process.kill(bare.appPid, 'SIGTERM')
    const b = await bare.run.done
    const out = tempDir()
    const app = await startApp([process.execPath, DD_RUN, process.execPath, DRAIN_ONCE], cleanEnv({ DD_PROFILING_OUTPUT_DIR: out, DRAIN_MS: '5000' }))
    process.kill(app.run.child.pid as number, 'SIGTERM')
    await waitFor(() => /draining/.test(app.stdout()), 10_000, 'the app to start draining')
    process.kill(app.run.child.pid as number, 'SIGTERM')
    const r = await app.run.done
    assert.doesNotMatch(app.stdout(), /drained/, r.stderr)
    assert.equal(`${r.code}/${r.signal}`, `${b.code}/${b.signal}`, r.stderr)
    assert.equal(finalSnapshot(out, app.appPid), 'on_shutdown', r.stderr)
  })

  it('process.abort(): final profile, then the abort', async () => {
    const out = tempDir()
    const app = await startApp([process.execPath, DD_RUN, process.execPath, NO_HANDLER], cleanEnv({ DD_PROFILING_OUTPUT_DIR: out, ABORT: '1' }))
    const r = await app.run.done
    assert.equal(`${r.code}/${r.signal}`, await bareEnding('abort'), r.stderr)
    assert.equal(finalSnapshot(out, app.appPid), 'on_shutdown', r.stderr)
  })

  it('an app that stubs process.kill: the preload never calls the stub, and SIGTERM still ends it after the final profile', async () => {
    const out = tempDir()
    const app = await startApp([process.execPath, DD_RUN, process.execPath, NO_HANDLER], cleanEnv({ DD_PROFILING_OUTPUT_DIR: out, STUB_KILL: '1', DD_PROFILING_UPLOAD_PERIOD: '1' }))
    await new Promise((r) => setTimeout(r, 1500)) // a periodic export or two, which check on the launcher
    process.kill(app.run.child.pid as number, 'SIGTERM')
    const r = await app.run.done
    assert.equal(r.signal, 'SIGTERM', r.stderr)
    assert.doesNotMatch(r.stdout, /the stub was called/)
    assert.equal(finalSnapshot(out, app.appPid), 'on_shutdown', r.stderr)
  })
})

describe('the launcher finishes the run whatever happens', () => {
  it('SIGINT and SIGTERM to dd-run while it relays the last profile: the relay ends within its bound, the status is the command\'s', async () => {
    const agent = await FakeAgent.start()
    agents.push(agent)
    agent.setDefault('black-hole')
    const out = tempDir()
    const tmp = tempDir() // the run channel goes here: it must be gone at the end
    const run = start(process.execPath, [DD_RUN, '--exporters', 'agent', 'node', APP, '300', '5'], {
      env: cleanEnv({ DD_TRACE_AGENT_URL: agent.url, DD_PROFILING_FLUSH_TIMEOUT: '2', DD_PROFILING_OUTPUT_DIR: out, TMPDIR: tmp }),
    })
    let stdout = ''
    run.child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()))
    await waitFor(() => stdout.includes('done\n'), 30_000, 'the app to finish')
    await waitFor(() => agent.requestCount > 0 || run.child.exitCode !== null, 10_000, 'the relay to start')
    run.child.kill('SIGINT')
    await new Promise((r) => setTimeout(r, 50))
    run.child.kill('SIGTERM')
    const r = await run.done
    assert.equal(r.signal, null, r.stderr)
    assert.equal(r.code, 5, r.stderr)
    const m = /not delivered[^;]*; written to (\S+) instead/.exec(r.stderr)
    assert.ok(m, r.stderr)
    assert.ok(fs.readdirSync(m[1] as string).some((n) => /^\d{4}-/.test(n)), `nothing in ${m[1]}`)
    assert.deepEqual(fs.readdirSync(tmp), [])
  })

  it('a process that outlives the command\'s own (sh exits first): dd-run waits for it and relays its final profile', async () => {
    const agent = await FakeAgent.start()
    agents.push(agent)
    const script = `"${process.execPath}" "${NO_HANDLER}" & sleep 0.3`
    const r = await start(process.execPath, [DD_RUN, '--exporters', 'agent', 'sh', '-c', script], {
      env: cleanEnv({ DD_TRACE_AGENT_URL: agent.url, EXIT_AFTER_MS: '1500' }),
    }).done
    assert.equal(r.code, 0, r.stderr)
    const pid = Number(/ready (\d+)/.exec(r.stdout)?.[1])
    const finals = agent.uploads.filter((u) => u.event.tags_profiler.includes(`process_id:${pid},`) && u.event.tags_profiler.includes('snapshot:on_shutdown'))
    assert.equal(finals.length, 1, r.stderr)
    assert.match(r.stderr, /profiled, 1 bundle \(1 to agent/)
    assert.doesNotMatch(r.stderr, /still running or killed/)
  })

  it('DD_PROFILING_FLUSH_TIMEOUT=16 against an agent that never answers: no hidden cap, the bundle lands in the output directory', async () => {
    const agent = await FakeAgent.start()
    agents.push(agent)
    agent.setDefault('black-hole')
    const out = tempDir()
    const r = await start(process.execPath, [DD_RUN, '--exporters', 'agent', 'node', APP, '200', '0'], {
      env: cleanEnv({ DD_TRACE_AGENT_URL: agent.url, DD_PROFILING_FLUSH_TIMEOUT: '16', DD_PROFILING_UPLOAD_TIMEOUT: '30000', DD_PROFILING_OUTPUT_DIR: out }),
      timeoutMs: 90_000,
    }).done
    assert.equal(r.code, 0, r.stderr)
    assert.doesNotMatch(r.stderr, /gave up relaying/)
    const m = /not delivered within DD_PROFILING_FLUSH_TIMEOUT \(16 s\); written to (\S+) instead/.exec(r.stderr)
    assert.ok(m, r.stderr)
    assert.ok(fs.readdirSync(m[1] as string).some((n) => /^\d{4}-/.test(n)), `nothing in ${m[1]}`)
  })

  it('a run channel that cannot be removed does not change the exit status', { skip: process.getuid?.() === 0 ? false : 'mounting needs root' }, async () => {
    const r = await start(process.execPath, [DD_RUN, 'node', fixture('supervision/pin-channel.js')], { env: cleanEnv() }).done
    const pin = /pinned (\S+)/.exec(r.stdout)?.[1]
    try {
      assert.equal(r.code, 7, r.stderr)
      assert.ok(pin)
      assert.doesNotMatch(r.stderr, /internal error|could not finish/)
    } finally {
      if (pin) {
        execFileSync('umount', [pin])
        fs.rmSync(pin.replace(/\/pinned$/, ''), { recursive: true, force: true })
      }
    }
  })

  it('a short-lived app with the agent down: the summary names the real reason', async () => {
    const r = await start(process.execPath, [DD_RUN, '--exporters', 'agent', 'node', APP, '100', '0'], {
      env: cleanEnv({ DD_TRACE_AGENT_URL: `http://127.0.0.1:${await closedPort()}`, DD_PROFILING_FLUSH_TIMEOUT: '1' }),
    }).done
    assert.equal(r.code, 0, r.stderr)
    assert.doesNotMatch(r.stderr, /see the warning above/)
    assert.match(r.stderr, /failures: agent: a final profile was not relayed: .*(ECONNREFUSED|refused)/)
  })
})
