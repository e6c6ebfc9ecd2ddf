// `dd-run snapshot` against a running launch: a main thread stuck in `while (true)` is named by its function, an
// idle server answers promptly with a profile, and only the user's own private channel is ever asked.
import assert from 'node:assert/strict'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { test } from 'node:test'
import { DD_RUN, fixture } from '../helpers/paths'
import { assertIntakeShape, listBundles } from '../helpers/profiles'
import { cleanEnv, ddRun, start, tempDir, waitFor } from '../helpers/run'

/** Starts `dd-run node <fixture>` with its own TMPDIR (so its channel is the only one found there). */
function launch(name: string, out: string, tmp: string, ready: RegExp) {
  const env = cleanEnv({ TMPDIR: tmp })
  const run = start(process.execPath, [DD_RUN, '-o', out, 'node', fixture(path.join('watchdog', name))], { env })
  let stderr = ''
  run.child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()))
  return { ...run, env, stderr: () => stderr, ready: () => waitFor(() => ready.test(stderr), 20_000, `${name} to start`) }
}

/** Waits until the process's report says it has a watchdog (written at start, before the app's code runs). */
async function reported(tmp: string): Promise<string> {
  let channel = ''
  await waitFor(() => {
    const ch = fs.readdirSync(tmp).find((n) => n.startsWith('dd-run-'))
    if (!ch) return false
    channel = path.join(tmp, ch)
    const reports = path.join(channel, 'reports')
    return fs.existsSync(reports) && fs.readdirSync(reports).some((f) => f.endsWith('.json'))
  }, 20_000, 'the process report')
  return channel
}

test('dd-run snapshot names the function a main thread stuck in while (true) is in, and exports a profile', async (t) => {
  const out = tempDir()
  const tmp = tempDir('dd-run-tmp-')
  const app = launch('stuck.js', out, tmp, /stuck \d+/)
  // The app is in a process group of its own, which the launcher's end does not reach: it is ended here.
  t.after(() => {
    const pid = Number(/stuck (\d+)/.exec(app.stderr())?.[1])
    try {
      if (pid) process.kill(pid, 'SIGKILL')
    } catch {
      // already gone
    }
  })
  await app.ready()
  await reported(tmp)
  const launcherPid = app.child.pid as number
  const r = await ddRun(['snapshot', String(launcherPid)], { env: app.env })
  assert.equal(r.code, 0, r.stderr)
  assert.match(r.stdout, /main thread:\n\s+at stuckForever \(.*stuck\.js:\d+:\d+\)/)
  assert.match(r.stdout, /profile \d+ exported \(file /)
  // The profile is on disk, complete, while the process is still stuck.
  const bundles = listBundles(out)
  assert.equal(bundles.length, 1)
  assertIntakeShape(bundles[0]!)
  assert.equal(bundles[0]!.tags.snapshot, 'periodic')
  // The JSON form says the same, for scripts.
  const j = await ddRun(['snapshot', '--json', String(launcherPid)], { env: app.env })
  assert.equal(j.code, 0, j.stderr)
  const parsed = JSON.parse(j.stdout) as { launcher: { pid: number }; processes: { answer: { stack: string[] } }[] }
  assert.equal(parsed.launcher.pid, launcherPid)
  assert.match(parsed.processes[0]!.answer.stack[0]!, /^stuckForever /)
  // A main thread that never yields cannot run a signal listener: SIGKILL, as one would end it without dd-run.
  process.kill(Number(/stuck (\d+)/.exec(app.stderr())?.[1]), 'SIGKILL')
  const end = await app.done
  assert.ok(end.signal === 'SIGKILL' || end.code === 137, `${end.code} ${end.signal}`)
})

test('dd-run snapshot against an idle server returns promptly with a profile, and the server runs on', async (t) => {
  const out = tempDir()
  const tmp = tempDir('dd-run-tmp-')
  const app = launch('idle-server.js', out, tmp, /listening \d+/)
  t.after(() => {
    const pid = Number(/listening \d+ (\d+)/.exec(app.stderr())?.[1])
    try {
      if (pid) process.kill(pid, 'SIGKILL')
    } catch {
      // ended by the test
    }
  })
  await app.ready()
  await reported(tmp)
  const serverPid = Number(/listening \d+ (\d+)/.exec(app.stderr())?.[1])
  // By the server's own pid this time; the default timeout (5 s) is far above what an idle process needs.
  const r = await ddRun(['snapshot', String(serverPid)], { env: app.env })
  assert.equal(r.code, 0, r.stderr)
  assert.match(r.stdout, new RegExp(`pid ${serverPid}  main`))
  assert.match(r.stdout, /main thread: idle, waiting in the event loop/)
  assert.match(r.stdout, /profile \d+ exported/)
  assert.equal(listBundles(out).length, 1)
  const port = Number(/listening (\d+)/.exec(app.stderr())?.[1])
  const body = await (await fetch(`http://127.0.0.1:${port}/`)).text()
  assert.equal(body, 'ok')
  app.child.kill('SIGTERM')
  const end = await app.done
  assert.equal(end.code, 0, end.stderr)
})

// Other runs may exist on this machine meanwhile (the channels' fallback parents, /tmp and /dev/shm, are shared):
// the choice among runs is checked on pickRun itself (test/unit/snapshot-pick.test.ts).
test('dd-run snapshot with a pid no run has, or a pid that is not one, says so', async () => {
  const tmp = tempDir('dd-run-tmp-')
  const env = cleanEnv({ TMPDIR: tmp })
  const none = await ddRun(['snapshot', '2147483646'], { env })
  assert.equal(none.code, 1)
  assert.match(none.stderr, /^dd-run: no dd-run launch of yours has the pid 2147483646/m)
  const bad = await ddRun(['snapshot', 'abc'], { env })
  assert.equal(bad.code, 2)
  assert.match(bad.stderr, /pid "abc": expected a process id/)
})

test('dd-run snapshot never asks a channel that is open to other users', async () => {
  const tmp = tempDir('dd-run-tmp-')
  const open = path.join(tmp, 'dd-run-open')
  fs.mkdirSync(open, { mode: 0o755 })
  fs.chmodSync(open, 0o755)
  const r = await ddRun(['snapshot', '--channel', open], { env: cleanEnv({ TMPDIR: tmp }) })
  assert.equal(r.code, 2)
  assert.match(r.stderr, /open to other users \(mode 755\)/)
  assert.deepEqual(fs.readdirSync(open), [], 'nothing was written there')
})
