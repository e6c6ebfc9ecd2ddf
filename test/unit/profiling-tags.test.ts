// tags_profiler: every tag the issue lists, DD_TAGS without overriding dd-run's own tags, values without commas.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Identity } from '../../src/profiling/process-kind'
import { formatTags, parseTags, sanitizeTag } from '../../src/export/bundle'
import { profileTags, serviceOf, type TagInputs } from '../../src/profiling/tags'

const identity: Identity = {
  pid: 42,
  threadId: 0,
  role: 'child',
  runtimeId: '11111111-2222-3333-4444-555555555555',
  runId: 'run-1',
  parentPid: 7,
  parentRuntimeId: 'parent-rt',
}
const inputs = (over: Partial<TagInputs> = {}): TagInputs => ({
  identity,
  service: 'web',
  env: 'prod',
  version: '1.2.3',
  userTags: {},
  host: 'box',
  profilerVersion: '0.1.0',
  runtime: { version: 'v20.1.0', arch: 'x64', os: 'linux' },
  ...over,
})

test('every tag of a child process, in order', () => {
  const text = formatTags(profileTags(inputs(), 'periodic', 3))
  assert.equal(
    text,
    'language:javascript,runtime:nodejs,runtime_version:v20.1.0,runtime_arch:x64,runtime_os:linux,process_id:42,' +
      'profiler_version:0.1.0,format:pprof,service:web,env:prod,version:1.2.3,host:box,' +
      'runtime-id:11111111-2222-3333-4444-555555555555,snapshot:periodic,profile_seq:3,run_id:run-1,parent_pid:7,' +
      'parent_runtime_id:parent-rt,process_role:child',
  )
})

test('DD_TAGS are added but cannot replace dd-run tags; they supply env and version when unset', () => {
  const tags = parseTags(
    formatTags(profileTags(inputs({ env: undefined, version: undefined, userTags: { team: 'core', env: 'qa', version: '9', 'runtime-id': 'x', snapshot: 'x' } }), 'on_shutdown', 1)),
  )
  assert.equal(tags.team, 'core')
  assert.equal(tags.env, 'qa')
  assert.equal(tags.version, '9')
  assert.equal(tags['runtime-id'], identity.runtimeId)
  assert.equal(tags.snapshot, 'on_shutdown')
})

test('worker threads and cluster workers carry thread_id / cluster_worker_id', () => {
  const worker = parseTags(formatTags(profileTags(inputs({ identity: { ...identity, role: 'worker_thread', threadId: 5 } }), 'periodic', 1)))
  assert.equal(worker.thread_id, '5')
  assert.equal(worker.process_role, 'worker_thread')
  const cw = parseTags(formatTags(profileTags(inputs({ identity: { ...identity, role: 'cluster_worker', clusterWorkerId: 2 } }), 'periodic', 1)))
  assert.equal(cw.cluster_worker_id, '2')
  assert.equal(cw.thread_id, undefined)
  const main = parseTags(formatTags(profileTags(inputs({ identity: { pid: 1, threadId: 0, role: 'main', runtimeId: 'r' } }), 'periodic', 1)))
  assert.equal(main.parent_pid, undefined)
  assert.equal(main.run_id, undefined)
})

test('values lose commas and line breaks; keys lose colons; parseTags reads values with colons', () => {
  assert.equal(sanitizeTag('a,b\nc'), 'a_b_c')
  assert.equal(sanitizeTag('  '), '_')
  const text = formatTags([['url', 'http://x:1/a,b'], ['a:b', 'v']])
  assert.equal(text, 'url:http://x:1/a_b,a_b:v')
  assert.deepEqual(parseTags(text), { url: 'http://x:1/a_b', a_b: 'v' })
})

test('the service: DD_SERVICE, else DD_TAGS service, else node', () => {
  assert.equal(serviceOf('web', { service: 'x' }), 'web')
  assert.equal(serviceOf(undefined, { service: 'x' }), 'x')
  assert.equal(serviceOf(undefined, {}), 'node')
})
