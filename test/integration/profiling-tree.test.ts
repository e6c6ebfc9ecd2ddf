// Every Node process of the tree is profiled, each with its own profiles and lineage tags: fork, spawn (with a
// grandchild), cluster workers and worker threads; package managers stay dormant; --only/--skip pick processes.
import assert from 'node:assert/strict'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { test } from 'node:test'
import { fixture } from '../helpers/paths'
import { pprofTags, pprofTop } from '../helpers/pprof'
import { assertIntakeShape, byProcess, listBundles, type OnDiskBundle } from '../helpers/profiles'
import { cleanEnv, ddRun, tempDir } from '../helpers/run'

const prof = (name: string) => fixture(path.join('profiling', name))

test('fork, spawn, grandchild, cluster (2 workers) and a worker thread: own profiles, correct lineage', async () => {
  const out = tempDir()
  const r = await ddRun(['-o', out, '-s', 'family', 'node', prof('family.js')], { env: cleanEnv() })
  assert.equal(r.code, 0, r.stderr)
  assert.equal(r.stdout, 'family done\n')
  const bundles = listBundles(out)
  bundles.forEach(assertIntakeShape)
  const procs = [...byProcess(bundles).values()].map((list) => list.at(-1) as OnDiskBundle)
  const roles = procs.map((b) => b.tags.process_role).sort()
  assert.deepEqual(roles, ['child', 'child', 'child', 'cluster_worker', 'cluster_worker', 'main', 'worker_thread'], r.stderr)
  const runIds = new Set(procs.map((b) => b.tags.run_id))
  assert.equal(runIds.size, 1, 'one run id for the whole tree')
  const main = procs.find((b) => b.tags.process_role === 'main')!
  assert.equal(main.tags.parent_pid, undefined)
  const hot = (b: OnDiskBundle) => pprofTop(b.file('wall.pprof'), 'wall').map((x) => x.name)
  // Direct children of the main process: the fork, the spawned child, the cluster workers, the worker thread.
  const spawned = procs.find((b) => b.tags.process_role === 'child' && hot(b).includes('leafSpawned'))!
  const forked = procs.find((b) => b.tags.process_role === 'child' && hot(b).includes('leafForked'))!
  const grandchild = procs.find((b) => b.tags.process_role === 'child' && hot(b).includes('leafGrandchild'))!
  assert.ok(spawned && forked && grandchild, procs.map((b) => `${b.processDir}: ${hot(b).slice(0, 4)}`).join('\n'))
  for (const b of [spawned, forked, ...procs.filter((p) => p.tags.process_role === 'cluster_worker' || p.tags.process_role === 'worker_thread')]) {
    assert.equal(b.tags.parent_pid, main.tags.process_id, `${b.processDir} parent`)
    assert.equal(b.tags.parent_runtime_id, main.tags['runtime-id'], `${b.processDir} parent runtime`)
  }
  assert.equal(grandchild.tags.parent_pid, spawned.tags.process_id)
  assert.equal(grandchild.tags.parent_runtime_id, spawned.tags['runtime-id'])
  const workers = procs.filter((b) => b.tags.process_role === 'cluster_worker')
  assert.deepEqual(workers.map((b) => b.tags.cluster_worker_id).sort(), ['1', '2'])
  for (const w of workers) assert.ok(hot(w).includes('leafClusterWorker'))
  const thread = procs.find((b) => b.tags.process_role === 'worker_thread')!
  assert.equal(thread.tags.process_id, main.tags.process_id, 'a worker thread lives in its process')
  assert.notEqual(thread.tags['runtime-id'], main.tags['runtime-id'], 'its own runtime id')
  assert.ok(Number(thread.tags.thread_id) >= 1)
  assert.ok(hot(thread).includes('leafWorkerThread'), hot(thread).join(', '))
  // The samples say which thread they come from.
  assert.match(pprofTags(thread.file('wall.pprof')), new RegExp(`thread id: Total[\\s\\S]*: ${thread.tags.thread_id}\\n`))
  assert.match(pprofTags(main.file('wall.pprof')), /thread name: Total[\s\S]*Main Event Loop/)
  // The run summary: one line per process and thread.
  assert.match(r.stderr, /run summary: 6 Node processes and 1 worker thread, 7 profiled, 7 bundles/)
  for (const b of procs) assert.match(r.stderr, new RegExp(`\\b${b.tags.process_id}(/${b.tags.thread_id ?? ''})?\\s+${b.tags.process_role}\\b.*profiled, 1 bundle`))
})

test('worker threads: 60 created and terminated without a crash; DD_PROFILING_WORKER_THREADS=false leaves them alone', async () => {
  const out = tempDir()
  const r = await ddRun(['-o', out, 'node', prof('workers-churn.js'), '60'], { env: cleanEnv() })
  assert.equal(r.code, 0, r.stderr)
  assert.equal(r.stdout, 'terminated 60\n')
  const main = listBundles(out).filter((b) => b.tags.process_role === 'main')
  assert.equal(main.length, 1)
  assertIntakeShape(main[0]!)
  assert.match(r.stderr, /\d+\/\*\s+worker_thread\s+\d+ worker threads: \d+ x profiled/)
  assert.ok(r.stderr.split('\n').length < 10, `a short summary:\n${r.stderr}`)

  const out2 = tempDir()
  const r2 = await ddRun(['-o', out2, 'node', prof('workers-churn.js'), '10'], { env: cleanEnv({ DD_PROFILING_WORKER_THREADS: 'false' }) })
  assert.equal(r2.code, 0, r2.stderr)
  const roles = listBundles(out2).map((b) => b.tags.process_role)
  assert.deepEqual(roles, ['main'])
  // Ten threads in one process: one summary line for them all.
  assert.match(r2.stderr, /\d+\/\*\s+worker_thread\s+10 worker threads: 10 x dormant \(worker thread profiling is off/)
})

test('dd-run npm start: npm stays dormant, only the app is profiled', { skip: !onPath('npm') && 'npm is not installed' }, async () => {
  const app = tempDir('dd-run-npm-')
  fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'npm-app', version: '2.0.0', private: true, scripts: { start: 'node app.js' } }))
  fs.writeFileSync(path.join(app, 'app.js'), "function appWork() { const end = Date.now() + 150; while (Date.now() < end); }\nappWork()\nconsole.log('app ran')\n")
  const out = tempDir()
  const r = await ddRun(['-o', out, 'npm', 'start', '--silent'], {
    cwd: app,
    env: cleanEnv({ npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' }),
  })
  assert.equal(r.code, 0, r.stderr)
  assert.match(r.stdout, /app ran/)
  const bundles = listBundles(out)
  assert.equal(bundles.length, 1, `only the app: ${bundles.map((b) => b.dir).join(', ')}\n${r.stderr}`)
  const b = bundles[0]!
  assertIntakeShape(b)
  assert.equal(b.tags.service, 'npm-app', 'the service name comes from package.json')
  assert.equal(b.tags.version, '2.0.0')
  assert.equal(b.tags.process_role, 'main', 'npm is not a profiled ancestor')
  assert.ok(pprofTop(b.file('wall.pprof'), 'wall').some((x) => x.name === 'appWork'))
  assert.match(r.stderr, /\bmain\s+.*npm.*: dormant \(package manager \(npm\)\)/)
})

test('--skip and --only choose processes by script path and arguments', async () => {
  const out = tempDir()
  const r = await ddRun(['-o', out, '--skip', 'leaf-b', 'node', prof('spawner.js')], { env: cleanEnv() })
  assert.equal(r.code, 0, r.stderr)
  const scripts = (o: string) => listBundles(o).map((b) => b.tags.process_role).sort()
  assert.deepEqual(scripts(out), ['child', 'main'])
  assert.match(r.stderr, /leaf-b\.js: dormant \(matches DD_PROFILING_SKIP pattern leaf-b\)/)
  assert.match(r.stderr, /leaf-a\.js: profiled, 1 bundle/)

  const out2 = tempDir()
  const r2 = await ddRun(['-o', out2, '--only', '*/leaf-a.js', 'node', prof('spawner.js')], { env: cleanEnv() })
  assert.equal(r2.code, 0, r2.stderr)
  const only = listBundles(out2)
  assert.equal(only.length, 1, r2.stderr)
  // The spawner is dormant, so the profiled leaf has no profiled ancestor.
  assert.equal(only[0]!.tags.process_role, 'main')
  assert.match(r2.stderr, /spawner\.js: dormant \(matches none of DD_PROFILING_ONLY/)
})

function onPath(cmd: string): boolean {
  return (process.env.PATH ?? '').split(path.delimiter).some((d) => fs.existsSync(path.join(d, cmd)))
}
