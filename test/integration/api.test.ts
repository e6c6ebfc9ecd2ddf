// The library entry in real processes: withLabels (labels in go tool pprof -tags and dd-run top --label), the
// Profiler API from CommonJS and ESM (alone, and when the preload already profiles), and the preload by --require.
import assert from 'node:assert/strict'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { test } from 'node:test'
import { ROOT, fixture } from '../helpers/paths'
import { pprofTags, pprofTop } from '../helpers/pprof'
import { assertIntakeShape, byProcess, listBundles } from '../helpers/profiles'
import { cleanEnv, ddRun, start, tempDir } from '../helpers/run'

const api = (name: string) => fixture(path.join('api', name))
const node = (args: string[], env: NodeJS.ProcessEnv, cwd?: string) => start(process.execPath, args, { env, ...(cwd ? { cwd } : {}) }).done

test('withLabels: labels on the wall samples of sync and awaited work, in go tool pprof -tags and dd-run top --label', async () => {
  const out = tempDir()
  const r = await ddRun(['-q', '-o', out, 'node', api('labels.js'), '600'], { env: cleanEnv() })
  assert.equal(r.code, 0, r.stderr)
  assert.equal(r.stdout, 'done\n')
  const [b] = listBundles(out)
  assert.ok(b)
  const tags = pprofTags(b.file('wall.pprof'))
  assert.match(tags, /route: Total/)
  assert.match(tags, /\/users\/:id/)
  assert.match(tags, /\/orders/)
  // top --label: only the labelled samples; each route's handler is in its own view and not in the other's.
  const users = await ddRun(['top', out, '--json', '--label', 'route=/users/:id'], { env: cleanEnv() })
  assert.equal(users.code, 0, users.stderr)
  const names = (s: string) => (JSON.parse(s) as { functions: { name: string; total: number }[] }).functions.filter((f) => f.total > 0).map((f) => f.name)
  assert.ok(names(users.stdout).includes('handleUsers'), users.stdout)
  assert.ok(!names(users.stdout).includes('handleOrders'), users.stdout)
  const orders = await ddRun(['top', out, '--json', '--label', 'route=/orders'], { env: cleanEnv() })
  assert.ok(names(orders.stdout).includes('handleOrders'), orders.stdout)
  assert.ok(!names(orders.stdout).includes('handleUsers'), orders.stdout)
  const bad = await ddRun(['top', out, '--label', 'route'], { env: cleanEnv() })
  assert.equal(bad.code, 2)
  assert.match(bad.stderr, /^dd-run: --label "route": expected key=value/m)
})

test('withLabels without profiling runs the function and returns its value', async () => {
  const code = `const { withLabels, withLabelsAsync, currentLabels } = require(${JSON.stringify(path.join(ROOT, 'dist', 'src', 'index.js'))})
    const v = withLabels({ a: '1' }, () => 41 + 1)
    withLabelsAsync({ b: '2' }, async () => 'x').then((w) => console.log(v, w, JSON.stringify(currentLabels())))`
  const r = await node(['-e', code], cleanEnv())
  assert.equal(r.code, 0, r.stderr)
  assert.equal(r.stdout, '42 x {}\n')
  assert.equal(r.stderr, '')
})

test('Profiler from CommonJS, without the launcher: options over DD_* variables, flush() exports, stop() ends', async () => {
  const out = tempDir()
  const r = await node([api('api-cjs.js')], cleanEnv({ DD_PROFILING_OUTPUT_DIR: out, DD_ENV: 'staging' }))
  assert.equal(r.code, 0, r.stderr)
  assert.equal(r.stdout, 'flushed running=true\nstopped running=false\n')
  const bundles = listBundles(out)
  bundles.forEach(assertIntakeShape)
  assert.deepEqual(bundles.map((b) => b.tags.snapshot), ['periodic', 'on_shutdown'])
  for (const b of bundles) {
    assert.equal(b.service, 'api-cjs')
    assert.equal(b.tags.env, 'staging') // from the environment, below the options
    assert.equal(b.tags.team, 'core')
    // The two profilers asked for (the events profiler's attachments only when they have samples).
    assert.equal(b.event.attachments[0], 'wall.pprof')
    for (const a of b.event.attachments) assert.ok(['wall.pprof', 'events.pprof', 'blocks.pprof'].includes(a), a)
  }
  assert.ok(pprofTop(bundles[0]!.file('wall.pprof')).some((x) => x.name === 'apiWork'))
})

test('Profiler from ESM: import { Profiler, withLabels } from "dd-run"; bad options fail with the CLI message', async () => {
  const out = tempDir()
  const r = await node([api('api-esm.mjs')], cleanEnv({ DD_PROFILING_OUTPUT_DIR: out }))
  assert.equal(r.code, 0, r.stderr)
  assert.equal(r.stdout, 'error: dd-run: invalid Profiler options: uploadPeriod="-1": expected a number of seconds from 1 to 2147483.647 (Node\'s timer limit, 2^31-1 ms)\nflushed running=true\n')
  const bundles = listBundles(out)
  assert.deepEqual(bundles.map((b) => b.tags.snapshot), ['periodic', 'on_shutdown'])
  assert.equal(bundles[0]!.service, 'api-esm')
  assert.match(pprofTags(bundles[0]!.file('wall.pprof')), /phase:[\s\S]*esm/)
})

test('Profiler under the preload: start() reuses the running profiler and says so under --debug', async () => {
  const out = tempDir()
  const r = await ddRun(['-d', '-s', 'launched', '-o', out, 'node', api('api-cjs.js')], { env: cleanEnv() })
  assert.equal(r.code, 0, r.stderr)
  assert.equal(r.stdout, 'flushed running=true\nstopped running=false\n')
  assert.match(r.stderr, /^dd-run: .*already profiled .*start\(\) uses the running profiler/m)
  const procs = byProcess(listBundles(out))
  assert.equal(procs.size, 1, 'one profiler, not two')
  const [list] = [...procs.values()]
  assert.ok(list)
  // The launcher's settings, not the Profiler's options; flush() made a periodic bundle, the exit the final one.
  assert.deepEqual(list.map((b) => [b.service, b.tags.snapshot]), [['launched', 'periodic'], ['launched', 'on_shutdown']])
  assert.deepEqual(list[0]!.event.attachments.slice(0, 2), ['wall.pprof', 'space.pprof'])
})

test('node --require dd-run/preload app.js works without the launcher, reading the same variables', async () => {
  const app = tempDir()
  fs.mkdirSync(path.join(app, 'node_modules'))
  fs.symlinkSync(ROOT, path.join(app, 'node_modules', 'dd-run'))
  fs.copyFileSync(fixture(path.join('profiling', 'cpu-burn.js')), path.join(app, 'app.js'))
  const out = tempDir()
  const r = await node(['--require', 'dd-run/preload', 'app.js', '300'], cleanEnv({ DD_SERVICE: 'by-require', DD_PROFILING_OUTPUT_DIR: out, DD_PROFILING_PROFILERS: 'wall,exceptions' }), app)
  assert.equal(r.code, 0, r.stderr)
  const bundles = listBundles(out)
  assert.equal(bundles.length, 1)
  assertIntakeShape(bundles[0]!)
  assert.equal(bundles[0]!.service, 'by-require')
  assert.equal(bundles[0]!.tags.run_id, undefined) // no launcher, no run
  // exceptions.pprof is not sent: the app threw nothing, and an empty profile is left out.
  assert.deepEqual(bundles[0]!.event.attachments, ['wall.pprof'])
  assert.ok(pprofTop(bundles[0]!.file('wall.pprof')).some((x) => x.name === 'burnCpu'))
})
