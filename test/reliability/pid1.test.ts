// dd-run as a container's PID 1 (ENTRYPOINT ["dd-run"]), in a real PID namespace (util-linux `unshare --pid --fork
// --mount-proc`, as root). `docker stop` sends SIGTERM to PID 1 only: it must reach the server behind `npm start`,
// which drains and keeps its final profile, and dd-run must not exit (and so take every process of the namespace
// down with it) before the server has.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { describe, it } from 'node:test'
import { DD_RUN, fixture } from '../helpers/paths'
import { byProcess, listBundles } from '../helpers/profiles'
import { cleanEnv, start, tempDir, waitFor } from '../helpers/run'

const SERVER = fixture('supervision/server.js')

function namespacesWork(): string | undefined {
  try {
    execFileSync('unshare', ['--pid', '--fork', '--mount-proc', 'true'], { stdio: 'ignore' })
    return undefined
  } catch (err) {
    return `unshare --pid --fork --mount-proc does not work here (${(err as Error).message.split('\n')[0]}): run as root`
  }
}
const skip = namespacesWork()

/** dd-run's pid outside the namespace: the one child of the unshare process. */
function pid1Outside(unsharePid: number): number {
  const children = fs.readFileSync(`/proc/${unsharePid}/task/${unsharePid}/children`, 'utf8').trim().split(/\s+/)
  assert.equal(children.length, 1, `unshare's children: ${children.join(' ')}`)
  return Number(children[0])
}

async function dockerStop(command: string[], cwd: string, env: NodeJS.ProcessEnv, ready: RegExp) {
  const run = start('unshare', ['--pid', '--fork', '--mount-proc', process.execPath, DD_RUN, ...command], { cwd, env, timeoutMs: 60_000 })
  let stdout = ''
  run.child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()))
  await waitFor(() => ready.test(stdout), 30_000, `the app to start: ${stdout}`)
  const inside = Number(ready.exec(stdout)![1])
  const ddRun = pid1Outside(run.child.pid as number)
  process.kill(ddRun, 'SIGTERM')
  const r = await run.done
  return { ...r, inside }
}

function lastSnapshot(out: string, pidInside: number): string | undefined {
  const mine = [...byProcess(listBundles(out)).entries()].find(([dir]) => dir.startsWith(`${pidInside}-`))
  return mine?.[1].at(-1)?.tags.snapshot
}

describe('dd-run as PID 1', { skip }, () => {
  it('docker stop on dd-run npm start: the server behind npm gets SIGTERM once, drains, and its final profile is kept', async () => {
    const dir = tempDir('dd-run-npm-')
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'shop', version: '1.0.0', scripts: { start: `node ${JSON.stringify(SERVER)}` } }))
    const out = tempDir()
    const env = cleanEnv({ DD_PROFILING_OUTPUT_DIR: out, DRAIN_MS: '800', npm_config_update_notifier: 'false' })
    const r = await dockerStop(['npm', 'start'], dir, env, /listening (\d+)/)
    assert.equal((r.stdout.match(/got SIGTERM/g) ?? []).length, 1, r.stdout)
    assert.match(r.stdout, /drained/)
    assert.equal(lastSnapshot(out, r.inside), 'on_shutdown', r.stderr)
    assert.match(r.stderr, /run summary: 2 Node processes, 1 profiled/)
    assert.doesNotMatch(r.stderr, /still running or killed/)
    // npm itself dies of the SIGTERM once its script ended; as PID 1, dd-run reports that as 128 + 15.
    assert.equal(r.code, 143, r.stderr)
  })

  it('docker stop on dd-run node server.js: drained, exit 0, final profile kept', async () => {
    const out = tempDir()
    const r = await dockerStop([process.execPath, SERVER], tempDir(), cleanEnv({ DD_PROFILING_OUTPUT_DIR: out }), /listening (\d+)/)
    assert.equal(r.code, 0, r.stderr)
    assert.equal((r.stdout.match(/got SIGTERM/g) ?? []).length, 1, r.stdout)
    assert.equal(lastSnapshot(out, r.inside), 'on_shutdown')
  })

  it('an app without a SIGTERM handler dies of it: dd-run exits 143 (PID 1 cannot re-raise) after its final profile', async () => {
    const out = tempDir()
    const r = await dockerStop([process.execPath, fixture('supervision/no-handler.js')], tempDir(), cleanEnv({ DD_PROFILING_OUTPUT_DIR: out }), /ready (\d+)/)
    assert.equal(r.code, 143, r.stderr)
    assert.equal(lastSnapshot(out, r.inside), 'on_shutdown')
  })
})
