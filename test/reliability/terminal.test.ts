// dd-run in a real terminal, typed at as a person would (Ctrl-C is byte 0x03 on a pseudo-terminal, turned into SIGINT
// by the kernel). Each case runs twice, without dd-run and with it, and what the person sees must be the same: how
// many SIGINTs the app got, that it drained, the exit status the shell sees, and no process left behind.
import assert from 'node:assert/strict'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { after, describe, it } from 'node:test'
import { DD_RUN, fixture } from '../helpers/paths'
import { byProcess, listBundles } from '../helpers/profiles'
import { inPty } from '../helpers/pty'
import { cleanEnv, killIfStill, tempDir, waitFor } from '../helpers/run'
import { procState } from '../../src/launch/linger'

const SERVER = fixture('supervision/server.js')

/** The apps started here run in a session of dd-run's making, out of the pty driver's reach: ended by pid. */
const appPids: number[] = []
after(() => {
  for (const pid of appPids) killIfStill(pid, 'test/fixtures/supervision/', 'hello-server')
})

/** A project whose start script runs the server without `exec` (npm runs it through `sh -c`), with a local bin. */
function project(): string {
  const dir = tempDir('dd-run-npm-')
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'shop', version: '1.0.0', scripts: { start: `node ${JSON.stringify(SERVER)}` } }))
  const pkg = path.join(dir, 'node_modules', 'hello-server')
  fs.mkdirSync(pkg, { recursive: true })
  fs.writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name: 'hello-server', version: '1.0.0', bin: { 'hello-server': 'cli.js' } }))
  fs.writeFileSync(path.join(pkg, 'cli.js'), `#!/usr/bin/env node\nrequire(${JSON.stringify(SERVER)})\n`, { mode: 0o755 })
  fs.mkdirSync(path.join(dir, 'node_modules', '.bin'))
  fs.symlinkSync('../hello-server/cli.js', path.join(dir, 'node_modules', '.bin', 'hello-server'))
  return dir
}

interface Seen {
  exit: string
  sigints: number
  drained: boolean
  serverPid: number
  screen: string
}

/** Starts the command in a terminal, waits for the server, types Ctrl-C (`presses` times, the later ones while it drains). */
async function pressCtrlC(command: string[], cwd: string, env: NodeJS.ProcessEnv, presses = 1): Promise<Seen> {
  const term = inPty(command[0] as string, command.slice(1), { cwd, env, timeoutMs: 60_000 })
  await waitFor(() => /listening \d+/.test(term.screen()), 30_000, `the server to listen: ${term.screen()}`)
  const serverPid = Number(/listening (\d+)/.exec(term.screen())![1])
  appPids.push(serverPid)
  term.type('\x03')
  for (let i = 1; i < presses; i++) {
    await waitFor(() => (term.screen().match(/got SIGINT/g) ?? []).length >= i, 10_000, `SIGINT number ${i}`)
    term.type('\x03')
  }
  const { exit, screen } = await term.done
  return { exit, sigints: (screen.match(/got SIGINT/g) ?? []).length, drained: screen.includes('drained'), serverPid, screen }
}

function npmEnv(out: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return cleanEnv({ DD_PROFILING_OUTPUT_DIR: out, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false', ...extra })
}

function assertSame(bare: Seen, profiled: Seen): void {
  assert.equal(profiled.sigints, bare.sigints, `SIGINTs seen by the app: ${profiled.screen}`)
  assert.equal(profiled.drained, bare.drained, profiled.screen)
  assert.equal(profiled.exit, bare.exit, profiled.screen)
  for (const pid of [bare.serverPid, profiled.serverPid]) assert.equal(procState(pid).alive, false, `server ${pid} is still running`)
}

/** The server's last bundle is its final one: the drain did not lose it. */
function assertFinalProfile(out: string, serverPid: number): void {
  const mine = [...byProcess(listBundles(out)).entries()].find(([dir]) => dir.startsWith(`${serverPid}-`))
  assert.ok(mine, `no bundle from the server ${serverPid}`)
  assert.equal(mine[1].at(-1)!.tags.snapshot, 'on_shutdown')
}

describe('Ctrl-C in a terminal', () => {
  it('dd-run npm start (no exec in the script): the server gets SIGINT once, drains, and nothing is left running', async () => {
    const dir = project()
    const out = tempDir()
    const bare = await pressCtrlC(['npm', 'start'], dir, npmEnv(out))
    const profiled = await pressCtrlC([process.execPath, DD_RUN, 'npm', 'start'], dir, npmEnv(out))
    assert.equal(profiled.sigints, 1, profiled.screen)
    assert.ok(profiled.drained, profiled.screen)
    assertSame(bare, profiled)
    assertFinalProfile(out, profiled.serverPid)
    assert.match(profiled.screen, /run summary: .*1 profiled/)
  })

  it('dd-run npx <local bin>: the same as without dd-run', async () => {
    const dir = project()
    const out = tempDir()
    const env = npmEnv(out, { npm_config_offline: 'true' })
    const bare = await pressCtrlC(['npx', 'hello-server'], dir, env)
    const profiled = await pressCtrlC([process.execPath, DD_RUN, 'npx', 'hello-server'], dir, env)
    assert.equal(profiled.sigints, 1, profiled.screen)
    assertSame(bare, profiled)
    assertFinalProfile(out, profiled.serverPid)
  })

  it('a second Ctrl-C while the app drains reaches it as it would without dd-run', async () => {
    const dir = tempDir()
    const out = tempDir()
    const env = npmEnv(out, { DRAIN_MS: '1500' })
    const bare = await pressCtrlC([process.execPath, SERVER], dir, env, 2)
    const profiled = await pressCtrlC([process.execPath, DD_RUN, process.execPath, SERVER], dir, env, 2)
    assert.equal(profiled.sigints, 2, profiled.screen)
    assertSame(bare, profiled)
    assertFinalProfile(out, profiled.serverPid)
  })

  it('a main thread that never yields, without a handler: Ctrl-C ends it at once as without dd-run, after its final profile', async () => {
    const out = tempDir()
    const spin = fixture('supervision/spin.js')
    const ctrlC = async (command: string[]): Promise<{ exit: string; pid: number }> => {
      const term = inPty(command[0] as string, command.slice(1), { env: npmEnv(out), timeoutMs: 30_000 })
      await waitFor(() => /ready \d+/.test(term.screen()), 30_000, 'the app to start')
      appPids.push(Number(/ready (\d+)/.exec(term.screen())![1]))
      term.type('\x03')
      const { exit } = await term.done
      return { exit, pid: Number(/ready (\d+)/.exec(term.screen())![1]) }
    }
    const bare = await ctrlC([process.execPath, spin])
    const profiled = await ctrlC([process.execPath, DD_RUN, process.execPath, spin])
    assert.equal(profiled.exit, bare.exit)
    assert.equal(procState(profiled.pid).alive, false)
    assertFinalProfile(out, profiled.pid)
  })

  it('a readline prompt reads what the person types', async () => {
    const out = tempDir()
    const term = inPty(process.execPath, [DD_RUN, process.execPath, fixture('supervision/prompt.js')], { env: npmEnv(out) })
    await waitFor(() => term.screen().includes('name? '), 30_000, 'the prompt')
    term.type('Ada\r')
    const { exit, screen } = await term.done
    assert.equal(exit, 'code=0', screen)
    assert.match(screen, /hello Ada \(stdin is a tty: true\)/)
  })
})
