// Which process is which: roles from the environment the parent left, package managers from argv[1], patterns.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { dormantReason, packageManager, patternMatches } from '../../src/profiling/guard'
import { commandSummary, identify } from '../../src/profiling/process-kind'
import { appFacts } from '../helpers/process-facts'

const facts = appFacts

test('roles: main without a profiled ancestor, child, cluster worker, worker thread', () => {
  assert.equal(identify(facts(), 'r').role, 'main')
  const env = { DD_RUN_PARENT_PID: '50', DD_RUN_PARENT_RUNTIME_ID: 'prt', DD_RUN_ID: 'run' }
  const child = identify(facts({ env }), 'r')
  assert.deepEqual(child, { pid: 100, threadId: 0, role: 'child', runtimeId: 'r', runId: 'run', parentPid: 50, parentRuntimeId: 'prt' })
  assert.equal(identify(facts({ env, clusterWorkerId: 3 }), 'r').clusterWorkerId, 3)
  assert.equal(identify(facts({ env, clusterWorkerId: 3 }), 'r').role, 'cluster_worker')
  const thread = identify(facts({ env: { DD_RUN_PARENT_PID: '100', DD_RUN_PARENT_RUNTIME_ID: 'main-rt' }, isMainThread: false, threadId: 2 }), 'r')
  assert.equal(thread.role, 'worker_thread')
  assert.equal(thread.parentPid, 100)
  assert.equal(thread.parentRuntimeId, 'main-rt')
  // Garbage in the variables is ignored rather than trusted.
  assert.equal(identify(facts({ env: { DD_RUN_PARENT_PID: 'abc' } }), 'r').role, 'main')
})

test('package managers by their script; the scripts they start are not package managers', () => {
  assert.equal(packageManager(['node', '/usr/lib/node_modules/npm/bin/npm-cli.js', 'start'], {}), 'npm')
  assert.equal(packageManager(['node', '/usr/bin/npm', 'start'], {}), 'npm')
  assert.equal(packageManager(['node', '/usr/lib/node_modules/npm/bin/npx-cli.js', 'x'], {}), 'npx')
  assert.equal(packageManager(['node', '/usr/lib/node_modules/corepack/dist/corepack.js'], {}), 'corepack')
  assert.equal(packageManager(['node', '/home/u/.cache/node/corepack/pnpm/9.0.0/bin/pnpm.cjs'], {}), 'pnpm')
  assert.equal(packageManager(['node', '/repo/.yarn/releases/yarn-4.1.0.cjs', 'start'], {}), 'yarn')
  assert.equal(packageManager(['node', '/opt/odd/place/cli.js'], { npm_execpath: '/opt/odd/place/cli.js' }), 'npm')
  // The app npm start runs: npm's variables are in its environment, but its script is its own.
  const npmEnv = { npm_execpath: '/usr/lib/node_modules/npm/bin/npm-cli.js', npm_lifecycle_event: 'start' }
  assert.equal(packageManager(['node', '/app/server.js'], npmEnv), undefined)
  assert.equal(packageManager(['node', '/app/npm-helpers/index.js'], {}), undefined)
  assert.equal(packageManager(['node'], {}), undefined)
})

test('patterns: * matches any text, a pattern matches anywhere in script path and arguments', () => {
  assert.ok(patternMatches('webpack', '/r/node_modules/webpack/bin/webpack.js --mode x'))
  assert.ok(patternMatches('*/server.js', '/app/server.js --port 1'))
  assert.ok(patternMatches('server*--port', '/app/server.js --port 1'))
  assert.ok(!patternMatches('worker.js', '/app/server.js'))
  assert.ok(!patternMatches('a.c', 'abc'), 'a dot is a dot')
})

test('dormant reasons: worker threads off, package manager, --only, --skip', () => {
  assert.match(dormantReason(facts({ isMainThread: false }), { workerThreads: false }) ?? '', /worker thread profiling is off/)
  assert.equal(dormantReason(facts({ isMainThread: false }), { workerThreads: true }), undefined)
  assert.match(dormantReason(facts({ argv: ['node', '/usr/bin/npm', 'start'] }), { workerThreads: true }) ?? '', /package manager \(npm\)/)
  assert.match(dormantReason(facts(), { workerThreads: true, only: ['worker'] }) ?? '', /matches none of DD_PROFILING_ONLY \(worker\)/)
  assert.equal(dormantReason(facts(), { workerThreads: true, only: ['server'] }), undefined)
  assert.match(dormantReason(facts(), { workerThreads: true, skip: ['x', 'server.js'] }) ?? '', /DD_PROFILING_SKIP pattern server\.js/)
})

test('command summaries are short and relative to the working directory', () => {
  assert.equal(commandSummary(facts({ argv: ['/usr/bin/node', '/app/src/server.js', '--port', '1'] }), '/app'), 'node src/server.js --port 1')
  assert.equal(commandSummary(facts({ isMainThread: false, threadId: 4 }), '/app'), 'worker thread 4')
  assert.equal(commandSummary(facts({ argv: ['/usr/bin/node', '/x.js', 'a'.repeat(200)] }), '/app').length, 80)
})
