// The guard's one answer, from the facts of a process and the configuration: ignore, later, dormant (and why) or
// profile. The facts that cost something to learn are functions; they are asked only when the answer needs them.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { fromEnv } from '../../src/config/layers'
import { AUTO_AFTER_MS, shouldProfile, type GuardFacts } from '../../src/profiling/guard'
import { appFacts } from '../helpers/process-facts'

function facts(over: Partial<GuardFacts> = {}): GuardFacts & { asked: string[] } {
  const asked: string[] = []
  return {
    ...appFacts(),
    watchdogThread: false,
    uptimeMs: 50,
    isDdRunItself: () => (asked.push('dd-run'), false),
    leftToDdTrace: () => (asked.push('dd-trace'), undefined),
    asked,
    ...over,
  }
}

const config = (env: NodeJS.ProcessEnv = {}) => fromEnv(env).config

describe('shouldProfile', () => {
  it('profiles an app with the enabled profilers', () => {
    assert.deepEqual(shouldProfile(facts(), config()), { kind: 'profile', profilers: ['wall', 'space', 'events', 'exceptions'], flushWorkers: true })
  })

  it("ignores dd-run's own watchdog thread before anything else", () => {
    const f = facts({ watchdogThread: true, isMainThread: false })
    assert.deepEqual(shouldProfile(f, config()), { kind: 'ignore' })
    assert.deepEqual(f.asked, [])
  })

  it('DD_PROFILING_ENABLED=auto waits until the process has lived long enough', () => {
    assert.equal(shouldProfile(facts(), config({ DD_PROFILING_ENABLED: 'auto' })).kind, 'later')
    assert.equal(shouldProfile(facts({ uptimeMs: AUTO_AFTER_MS }), config({ DD_PROFILING_ENABLED: 'auto' })).kind, 'profile')
  })

  it('off, or no profiler: dormant without asking the costly facts', () => {
    const f = facts()
    assert.deepEqual(shouldProfile(f, config({ DD_PROFILING_ENABLED: 'false' })), { kind: 'dormant', reason: 'DD_PROFILING_ENABLED is false', byDdTrace: false, flushWorkers: false })
    const none = shouldProfile(f, config({ DD_PROFILING_PROFILERS: 'wall', DD_PROFILING_WALLTIME_ENABLED: 'false' }))
    assert.equal(none.kind === 'dormant' && none.reason, 'no profiler is enabled')
    assert.deepEqual(f.asked, [])
  })

  it('dd-run itself, dd-trace, package managers and patterns, each with its reason', () => {
    const dr = shouldProfile(facts({ isDdRunItself: () => true }), config())
    assert.equal(dr.kind === 'dormant' && dr.reason, 'dd-run itself (a launcher inside the run)')
    const dt = shouldProfile(facts({ leftToDdTrace: () => 'dd-trace profiles this process' }), config())
    assert.deepEqual(dt, { kind: 'dormant', reason: 'dd-trace profiles this process', byDdTrace: true, flushWorkers: true })
    const npm = shouldProfile(facts({ argv: ['/usr/bin/node', '/usr/lib/node_modules/npm/bin/npm-cli.js', 'start'] }), config())
    assert.equal(npm.kind === 'dormant' && npm.reason, 'package manager (npm)')
    const skipped = shouldProfile(facts(), config({ DD_PROFILING_SKIP: 'server' }))
    assert.equal(skipped.kind === 'dormant' && skipped.reason, 'matches DD_PROFILING_SKIP pattern server')
  })

  it("worker threads: dd-trace is the main thread's question; the loader thread never flushes workers", () => {
    const worker = facts({ isMainThread: false, threadId: 3 })
    assert.equal(shouldProfile(worker, config()).kind, 'profile')
    assert.deepEqual(worker.asked, ['dd-run'])
    const off = shouldProfile(facts({ isMainThread: false }), config({ DD_PROFILING_WORKER_THREADS: 'false' }))
    assert.deepEqual(off, { kind: 'dormant', reason: 'worker thread profiling is off (DD_PROFILING_WORKER_THREADS=false)', byDdTrace: false, flushWorkers: false })
    const loader = shouldProfile(facts({ isMainThread: false, loaderThread: true }), config())
    assert.deepEqual(loader, { kind: 'dormant', reason: 'it runs module.register() hooks, not the app', byDdTrace: false, flushWorkers: false })
  })
})
