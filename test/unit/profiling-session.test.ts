// The session with fakes for everything around it (its options allow them): profilers that hand back tiny
// profiles, an encoder that returns fixed bytes, exporters that record what they get, a status that is not written.
// What is checked: one bundle per period with the right tags, profile_seq only for periods with samples, the final
// bundle on finish (exporter, else spool, else the output directory), and what the status records.
import assert from 'node:assert/strict'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { describe, it } from 'node:test'
import { fromEnv } from '../../src/config/layers'
import { parseTags } from '../../src/export/bundle'
import type { Bundle, Exporter } from '../../src/export/types'
import { createLogger } from '../../src/log'
import type { Identity } from '../../src/profiling/process-kind'
import type { Pprof } from '../../src/profiling/load-pprof'
import type { Profilers, Taken } from '../../src/profiling/profilers'
import { Session, type SessionOptions } from '../../src/profiling/session'
import { readSpool } from '../../src/export/spool'
import { StatusLedger } from '../../src/run/status'
import type { ProcessStatus } from '../../src/run/status-shape'
import { tempDir } from '../helpers/run'

const identity: Identity = { pid: 4242, threadId: 0, role: 'main', runtimeId: 'abcdef12-0000-0000-0000-000000000000' }

/** A profile as the session looks at it: samples to count, a string table for the source-map mark. */
function profile(samples: number): Taken['profile'] {
  return { sample: new Array(samples).fill({}), comment: [], stringTable: { strings: [''] } } as unknown as Taken['profile']
}

/** Profilers whose next take() returns the given number of wall samples (the last one repeats). */
function fakeProfilers(samples: number[]): Profilers & { takes: boolean[] } {
  const takes: boolean[] = []
  return {
    takes,
    failures: [],
    sourceMaps: undefined,
    start() {},
    take(restart: boolean) {
      takes.push(restart)
      const n = samples.length > 1 ? (samples.shift() as number) : (samples[0] ?? 0)
      return [{ name: 'wall', profile: profile(n) }]
    },
  } as unknown as Profilers & { takes: boolean[] }
}

const pprof = {
  encode: async () => Buffer.from('async'),
  encodeSync: () => Buffer.from('sync'),
} as unknown as Pprof

/** An exporter that records the bundles it gets; `sync` gives it an exportSync, as the file exporter has. */
function recorder(name: string, sync: boolean): Exporter & { got: Bundle[]; gotSync: Bundle[] } {
  const got: Bundle[] = []
  const gotSync: Bundle[] = []
  return {
    name,
    got,
    gotSync,
    async export(b: Bundle) {
      got.push(b)
    },
    ...(sync ? { exportSync: (b: Bundle) => void gotSync.push(b) } : {}),
  }
}

function newStatus(): ProcessStatus {
  return { pid: identity.pid, threadId: 0, role: 'main', command: 'node app.js', state: 'profiled', startedAt: new Date(0).toISOString(), exported: {}, targets: {}, spooled: {}, deferred: 0, failures: [] }
}

function session(over: Partial<SessionOptions> & { samples?: number[] } = {}): { s: Session; status: ProcessStatus; warnings: string[] } {
  const status = newStatus()
  const warnings: string[] = []
  const config = { ...fromEnv({ DD_SERVICE: 'web' }).config, outputDir: tempDir() }
  const s = new Session({
    pprof,
    profilers: fakeProfilers(over.samples ?? [3]),
    config,
    identity,
    tags: { identity, service: 'web', userTags: {}, profilerVersion: '0.0.0', runtime: { version: 'v20.0.0', arch: 'x64', os: 'linux' } },
    info: {},
    exporters: [],
    status: new StatusLedger(status, over.channel),
    launcherPid: 0,
    launcherAlive: () => true,
    log: createLogger({ write: (line) => warnings.push(line) }),
    ...over,
  })
  return { s, status, warnings }
}

describe('Session', () => {
  it('flush() exports one bundle with the tags of the period and counts it in the status', async () => {
    const file = recorder('file', true)
    const { s, status } = session({ exporters: [file] })
    s.start()
    try {
      await s.flush()
      assert.equal(file.got.length, 1)
      const bundle = file.got[0] as Bundle
      assert.deepEqual(bundle.attachments.map((a) => [a.name, a.data.toString()]), [['wall.pprof', 'async']])
      const tags = parseTags(bundle.event.tags_profiler)
      assert.equal(tags.snapshot, 'periodic')
      assert.equal(tags.profile_seq, '0')
      assert.equal(tags.process_id, '4242')
      assert.equal(tags.service, 'web')
      assert.deepEqual(bundle.process, { command: 'node app.js' })
      assert.equal(status.exported.file, 1)
    } finally {
      s.finish('test over')
    }
  })

  it('a period without a sample is not sent and does not use a profile_seq', async () => {
    const file = recorder('file', true)
    const { s } = session({ exporters: [file], samples: [0, 2] })
    s.start()
    await s.flush()
    await s.flush()
    s.finish('exit code 0')
    assert.deepEqual(file.got.map((b) => parseTags(b.event.tags_profiler).profile_seq), ['0'])
    assert.deepEqual(file.gotSync.map((b) => parseTags(b.event.tags_profiler).profile_seq), ['1'])
  })

  it('a profiler that could not be taken: the period goes out with the others, one warning, the failure in the status', () => {
    const file = recorder('file', true)
    const profilers = fakeProfilers([1])
    const failures = profilers.failures as { profiler: string; text: string }[]
    const take = profilers.take.bind(profilers)
    profilers.take = (restart: boolean) => {
      failures.length = 0
      failures.push({ profiler: 'heap', text: 'the heap profile could not be taken: Heap profiler is not enabled.' })
      return take(restart)
    }
    const { s, status, warnings } = session({ exporters: [file], profilers })
    s.start()
    s.finish('exit code 0')
    assert.equal(file.gotSync.length, 1)
    assert.deepEqual(file.gotSync[0]?.attachments.map((a) => a.name), ['wall.pprof'])
    assert.equal(warnings.filter((w) => /the heap profile could not be taken/.test(w)).length, 1, warnings.join('\n'))
    assert.deepEqual(status.failures, ['the heap profile could not be taken: Heap profiler is not enabled.'])
    assert.equal(status.exit, 'exit code 0')
  })

  it('finish() takes the final profile once, synchronously, and records how the process ended', () => {
    const file = recorder('file', true)
    const profilers = fakeProfilers([1])
    const { s, status } = session({ exporters: [file], profilers })
    s.start()
    let finished = 0
    s.onFinish = () => finished++
    s.finish('exit code 3')
    s.finish('exit code 4')
    assert.equal(file.gotSync.length, 1)
    assert.equal(file.gotSync[0]?.attachments[0]?.data.toString(), 'sync')
    assert.equal(parseTags(file.gotSync[0]?.event.tags_profiler ?? '').snapshot, 'on_shutdown')
    assert.deepEqual(profilers.takes, [false], 'the final take does not restart the profilers')
    assert.equal(status.exit, 'exit code 3')
    assert.ok(status.endedAt)
    assert.equal(finished, 1)
    assert.equal(s.stopped, true)
  })

  it('a network exporter at exit without a launcher: one failure, nothing written', () => {
    const agent = recorder('agent', false)
    const { s, status, warnings } = session({ exporters: [agent] })
    s.start()
    s.finish('exit code 0')
    assert.deepEqual(status.failures, ['agent: the final profile could not be sent (no launcher to hand it to at exit)'])
    assert.equal(warnings.length, 1)
  })

  it('a network exporter at exit with a live launcher: the final bundle goes to the spool', () => {
    const channel = tempDir()
    const agent = recorder('agent', false)
    const { s, status } = session({ exporters: [agent], channel, launcherPid: 1 })
    s.start()
    s.finish('exit code 0')
    assert.deepEqual(status.spooled, { agent: 1 })
    const spooled = readSpool(channel)
    assert.equal(spooled.length, 1)
    assert.equal(spooled[0]?.exporter, 'agent')
    assert.equal(parseTags(spooled[0]?.bundle?.event.tags_profiler ?? '').snapshot, 'on_shutdown')
    // The status was written into the channel for the launcher.
    assert.ok(fs.existsSync(path.join(channel, 'reports', `${identity.pid}-0.json`)))
  })

  it('a network exporter at exit whose launcher is gone: the final bundle is kept in the output directory', () => {
    const channel = tempDir()
    const agent = recorder('agent', false)
    const { s, status } = session({ exporters: [agent], channel, launcherPid: 1, launcherAlive: () => false })
    s.start()
    s.finish('exit code 0')
    assert.equal(status.exported.file, 1)
    assert.match(status.failures[0] ?? '', /^agent: dd-run \(pid 1\) is gone, so the final profile was written to /)
    assert.ok(fs.readdirSync(status.targets.file as string).some((n) => /^\d{4}-/.test(n)))
  })

  it('an exporter that rejects costs one warning and the app runs on', async () => {
    const failing: Exporter = { name: 'file', export: async () => Promise.reject(new Error('disk full')) }
    const { s, status, warnings } = session({ exporters: [failing] })
    s.start()
    await s.flush()
    await s.flush()
    s.finish('test over')
    assert.deepEqual(status.failures.slice(0, 2), ['file: disk full', 'file: disk full'])
    assert.equal(warnings.filter((w) => /disk full/.test(w)).length, 1)
  })
})
