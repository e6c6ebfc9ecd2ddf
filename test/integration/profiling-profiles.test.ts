// What the profiles say, read by Go's pprof: CPU time on the hot function, the allocating function in the heap
// profile, periods without gaps, a profile even from a 100 ms process, and event.json by the intake's rules.
import assert from 'node:assert/strict'
import * as path from 'node:path'
import { test } from 'node:test'
import { ROOT, fixture } from '../helpers/paths'
import { pprofTop } from '../helpers/pprof'
import { assertIntakeShape, byProcess, listBundles } from '../helpers/profiles'
import { cleanEnv, ddRun, tempDir } from '../helpers/run'

const prof = (name: string) => fixture(path.join('profiling', name))

test('a CPU-bound program: its hot function carries the CPU time, periods follow each other without gaps', async () => {
  const out = tempDir()
  const r = await ddRun(['-o', out, '--upload-period', '1', '-s', 'burner', 'node', prof('cpu-burn.js'), '2600'], { env: cleanEnv() })
  assert.equal(r.code, 0, r.stderr)
  const bundles = listBundles(out)
  bundles.forEach(assertIntakeShape)
  const [list] = [...byProcess(bundles).values()]
  assert.ok(list && list.length >= 2, `at least one periodic and the final bundle, got ${list?.length}: ${r.stderr}`)
  assert.deepEqual(list.map((b) => Number(b.tags.profile_seq)), list.map((_, i) => i))
  assert.equal(list.at(-1)?.tags.snapshot, 'on_shutdown')
  for (const b of list.slice(0, -1)) assert.equal(b.tags.snapshot, 'periodic')
  for (let i = 1; i < list.length; i++) assert.equal(list[i]?.event.start, list[i - 1]?.event.end, 'no gap between periods')
  let cpuOnHot = 0
  let cpuTotal = 0
  for (const b of list) {
    for (const row of pprofTop(b.file('wall.pprof'), 'cpu')) {
      cpuTotal += parseDuration(row.flat)
      if (row.name === 'burnCpu') cpuOnHot += parseDuration(row.flat)
    }
  }
  // Most of the CPU time the process got (however busy the machine) went to burnCpu.
  assert.ok(cpuOnHot > 0.1 && cpuOnHot / cpuTotal > 0.6, `CPU seconds on burnCpu: ${cpuOnHot} of ${cpuTotal}`)
  const top = pprofTop(list.at(-1)!.file('wall.pprof'), 'cpu')
  assert.equal(top[0]?.name, 'burnCpu', `top of the final profile: ${JSON.stringify(top.slice(0, 3))}`)
})

test('an allocating program: the allocating function is in the heap profile', async () => {
  const out = tempDir()
  const r = await ddRun(['-o', out, 'node', prof('alloc.js')], { env: cleanEnv() })
  assert.equal(r.code, 0, r.stderr)
  assert.equal(r.stdout, 'kept 3000\n')
  const bundles = listBundles(out)
  assert.equal(bundles.length, 1)
  assertIntakeShape(bundles[0]!)
  const space = pprofTop(bundles[0]!.file('space.pprof'), 'inuse_space')
  const row = space.find((x) => x.name === 'allocateRetained')
  assert.ok(row, `allocateRetained in ${JSON.stringify(space.slice(0, 5))}`)
  assert.ok(parseBytes(row.flat) > 4 * 1024 * 1024, `in-use bytes of allocateRetained: ${row.flat}`)
})

test('a process that lives 100 ms still yields a profile', async () => {
  const out = tempDir()
  const r = await ddRun(['-o', out, 'node', '-e', 'setTimeout(() => {}, 100)'], { env: cleanEnv() })
  assert.equal(r.code, 0, r.stderr)
  const bundles = listBundles(out)
  assert.equal(bundles.length, 1, r.stderr)
  assertIntakeShape(bundles[0]!)
  // No exception was thrown and no block happened: those profiles have no sample and are not sent.
  const sent = bundles[0]!.event.attachments
  assert.deepEqual(sent.slice(0, 2), ['wall.pprof', 'space.pprof'])
  assert.ok(!sent.includes('exceptions.pprof') && !sent.includes('blocks.pprof'), String(sent))
  assert.equal(bundles[0]!.tags.snapshot, 'on_shutdown')
  assert.match(r.stderr, /dd-run: run summary: 1 Node process, 1 profiled, 1 bundle\n/)
})

test('event.json carries service, env, version, DD_TAGS (sanitised) and the settings', async () => {
  const out = tempDir()
  const r = await ddRun(['-o', out, '-s', 'web/api', '-e', 'prod', '--service-version', '1.2.3', '-t', 'team:core', '-t', 'note:a b', 'node', '-e', '0'], {
    env: cleanEnv(),
  })
  assert.equal(r.code, 0, r.stderr)
  const [b] = listBundles(out)
  assert.ok(b)
  assertIntakeShape(b)
  assert.equal(b.service, 'web_api', 'service name made safe for the file system')
  assert.equal(b.tags.service, 'web/api')
  assert.equal(b.tags.env, 'prod')
  assert.equal(b.tags.version, '1.2.3')
  assert.equal(b.tags.team, 'core')
  assert.equal(b.tags.note, 'a b')
  assert.equal(b.tags.process_role, 'main')
  assert.match(b.tags.run_id as string, /^[0-9a-f-]{36}$/)
  assert.equal(b.event.info.application.env, 'prod')
  assert.equal(b.event.info.application.version, '1.2.3')
  assert.deepEqual(b.event.info.profiler.settings.profilers, ['wall', 'space', 'events', 'exceptions'])
  assert.equal(b.event.info.runtime.version, process.versions.node)
})

test('the bundled example: go tool pprof -top shows computePrimes on top', async () => {
  const out = tempDir()
  const r = await ddRun(['-o', out, 'node', path.join(ROOT, 'examples', 'busy-app.js')], { env: cleanEnv(), cwd: ROOT })
  assert.equal(r.code, 0, r.stderr)
  assert.match(r.stdout, /^busy-app: \d+ rounds/)
  const bundles = listBundles(out)
  assert.ok(bundles.length >= 1)
  bundles.forEach(assertIntakeShape)
  const top = pprofTop(bundles.at(-1)!.file('wall.pprof'))
  assert.equal(top[0]?.name, 'computePrimes', JSON.stringify(top.slice(0, 3)))
})

function parseDuration(s: string): number {
  const m = /^([\d.]+)(ns|us|µs|ms|s|mins?|hrs?)$/.exec(s)
  if (!m) return 0
  const scale: Record<string, number> = { ns: 1e-9, us: 1e-6, µs: 1e-6, ms: 1e-3, s: 1, min: 60, mins: 60, hr: 3600, hrs: 3600 }
  return Number(m[1]) * (scale[m[2] as string] ?? 0)
}

function parseBytes(s: string): number {
  const m = /^([\d.]+)([kmg]?b)$/i.exec(s)
  if (!m) return 0
  return Number(m[1]) * ({ B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 }[(m[2] as string).toUpperCase()] ?? 0)
}
