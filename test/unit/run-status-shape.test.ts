// Reports read back from the run channel: what dd-run writes passes, anything else is named field by field.
import { strict as assert } from 'node:assert'
import { test } from 'node:test'
import { checkStatus } from '../../src/run/status-shape'
import type { ProcessStatus } from '../../src/run/status-shape'

const good: ProcessStatus = {
  pid: 42,
  threadId: 0,
  role: 'main',
  command: 'node app.js',
  state: 'profiled',
  startedAt: '2026-11-25T10:00:00.000Z',
  endedAt: '2026-11-25T10:00:01.000Z',
  exported: { file: 1 },
  targets: { file: '/tmp/x' },
  spooled: {},
  lost: { agent: { failed: 1, dropped: 0 } },
  deferred: 0,
  failures: [],
}

test('a report as dd-run writes it passes unchanged', () => {
  assert.deepEqual(checkStatus(JSON.parse(JSON.stringify(good)), { pid: 42, threadId: 0 }), good)
})

test('wrong types and missing fields are named, the content never echoed', () => {
  assert.equal(checkStatus(null, { pid: 42, threadId: 0 }), 'not a JSON object')
  assert.equal(checkStatus('x', { pid: 42, threadId: 0 }), 'not a JSON object')
  assert.equal(checkStatus({ ...good, state: '\u001b[2Jpwned' }, { pid: 42, threadId: 0 }), 'state is a string, expected profiled, dormant or off')
  assert.equal(checkStatus({ ...good, failures: 'x' }, { pid: 42, threadId: 0 }), 'failures is a string, expected an array of strings')
  assert.equal(checkStatus({ ...good, exported: { file: -1 } }, { pid: 42, threadId: 0 }), 'exported is an object, expected an object of counts')
  assert.equal(checkStatus({ ...good, lost: { agent: {} } }, { pid: 42, threadId: 0 }), 'lost is an object, expected an object of {failed, dropped} counts')
  const { role: _r, command: _c, startedAt: _s, deferred: _d, ...few } = good
  assert.equal(checkStatus(few, { pid: 42, threadId: 0 }), 'role missing, expected a string; command missing, expected a string; startedAt missing, expected a string (+1 more)')
})

test('a report must describe the process its file name says', () => {
  assert.match(String(checkStatus(good, { pid: 43, threadId: 0 })), /describes 42-0, not the process its name says/)
})
