// Reading a profile directory: the layout, in-progress writes, filters and time arguments.
import assert from 'node:assert/strict'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { describe, it } from 'node:test'
import { parseTags } from '../../src/export/bundle'
import { listProfiles, parseTime } from '../../src/report/load'
import { tempDir } from '../helpers/run'

function entry(root: string, rel: string, tags: string, start: string, end: string): void {
  const dir = path.join(root, rel)
  fs.mkdirSync(dir, { recursive: true })
  fs.writeFileSync(path.join(dir, 'wall.pprof'), '')
  fs.writeFileSync(path.join(dir, 'event.json'), JSON.stringify({ attachments: ['wall.pprof', 'space.pprof', '../escape'], start, end, tags_profiler: tags }))
}

describe('listProfiles', () => {
  const root = tempDir()
  entry(root, 'web/10-main-aaaaaaaa/0001-20261124T210100Z', 'service:web,process_id:10,runtime-id:aaaaaaaa-1,run_id:run-1,process_role:main', '2026-11-24T21:00:00Z', '2026-11-24T21:01:00Z')
  entry(root, 'web/11-cluster_worker-bbbbbbbb/0001-20261124T210200Z', 'service:web,process_id:11,runtime-id:bbbbbbbb-1,run_id:run-1,process_role:cluster_worker', '2026-11-24T21:01:00Z', '2026-11-24T21:02:00Z')
  entry(root, 'jobs/20-main-cccccccc/0001-20261124T220000Z', 'service:jobs,process_id:20,runtime-id:cccccccc-1,run_id:run-2,process_role:main', '2026-11-24T21:59:00Z', '2026-11-24T22:00:00Z')
  entry(root, 'web/10-main-aaaaaaaa/.tmp-0002-x', 'service:web,process_id:10', '2026-11-24T21:01:00Z', '2026-11-24T21:02:00Z')
  fs.mkdirSync(path.join(root, 'web/10-main-aaaaaaaa/0003-broken'), { recursive: true })
  fs.writeFileSync(path.join(root, 'web/10-main-aaaaaaaa/0003-broken/event.json'), '{not json')

  it('finds every complete profile, oldest first, skipping in-progress writes and reporting broken ones', () => {
    const { entries, skipped } = listProfiles(root)
    assert.deepEqual(entries.map((e) => e.pid), ['10', '11', '20'])
    assert.equal(skipped.length, 1)
    assert.match(skipped[0]?.reason ?? '', /event\.json unreadable/)
    const first = entries[0]
    assert.equal(first?.service, 'web')
    assert.equal(first?.role, 'main')
    assert.equal(first?.runId, 'run-1')
    // Only attachments that exist, and never a path outside the profile directory.
    assert.deepEqual(Object.keys(first?.files ?? {}), ['wall.pprof'])
  })

  it('filters by service, pid, role, run and time', () => {
    const pids = (f: Parameters<typeof listProfiles>[1]) => listProfiles(root, f).entries.map((e) => e.pid)
    assert.deepEqual(pids({ service: 'jobs' }), ['20'])
    assert.deepEqual(pids({ pid: '11' }), ['11'])
    assert.deepEqual(pids({ role: 'cluster_worker' }), ['11'])
    assert.deepEqual(pids({ runId: 'run-1' }), ['10', '11'])
    assert.deepEqual(pids({ since: Date.parse('2026-11-24T21:30:00Z') }), ['20'])
    assert.deepEqual(pids({ until: Date.parse('2026-11-24T21:00:30Z') }), ['10'])
    assert.deepEqual(pids({ service: 'nope' }), [])
  })

  it('accepts the service directory as root', () => {
    assert.deepEqual(listProfiles(path.join(root, 'web')).entries.map((e) => e.pid), ['10', '11'])
  })
})

describe('parseTags and parseTime', () => {
  it('splits tags at the first colon', () => {
    assert.deepEqual(parseTags('service:web,url:http://x:1,bad,env:prod'), { service: 'web', url: 'http://x:1', env: 'prod' })
  })
  it('reads ISO times and durations ago, and rejects anything else', () => {
    const now = Date.parse('2026-11-24T22:00:00Z')
    assert.equal(parseTime('2026-11-24T21:00:00Z', now), Date.parse('2026-11-24T21:00:00Z'))
    assert.equal(parseTime('15m', now), now - 15 * 60_000)
    assert.equal(parseTime('2h', now), now - 2 * 3_600_000)
    assert.equal(parseTime('yesterday', now), undefined)
    assert.equal(parseTime('10', now), undefined)
  })
})
