import assert from 'node:assert/strict'
import { test } from 'node:test'
import { MAX_HEAP_INTERVAL, MAX_TIMER_MS, MAX_TIMER_SECONDS } from '../../src/config/limits'
import { KEYS, SCHEMA, type Setting } from '../../src/config/schema'
import { hostName, text } from '../../src/config/value-types'

test('every numeric setting has an upper bound: 1e308 is refused by each', () => {
  const numeric = KEYS.filter((k) => {
    const r = (SCHEMA[k] as Setting<unknown>).type.parse('1024')
    return r.ok && typeof r.value === 'number'
  })
  assert.deepEqual(numeric.sort(), ['agentPort', 'eventLoopThreshold', 'flushTimeout', 'heapSamplingInterval', 'outputMaxMb', 'uploadPeriod', 'uploadTimeout'])
  for (const k of numeric) assert.equal((SCHEMA[k] as Setting<unknown>).type.parse('1e308').ok, false, k)
})

test('settings that end up in a timer stop at 2^31-1 ms, the heap interval at 2^32-1', () => {
  for (const k of ['uploadPeriod', 'flushTimeout'] as const) {
    const t = SCHEMA[k].type
    assert.deepEqual(t.parse(String(MAX_TIMER_SECONDS)), { ok: true, value: 2147483.647 }, k)
    assert.equal(t.parse('2147483.648').ok, false, k)
    const r = t.parse('2147484')
    if (!r.ok) assert.match(r.expected, /to 2147483\.647 \(Node's timer limit, 2\^31-1 ms\)/)
  }
  assert.equal(SCHEMA.eventLoopThreshold.type.parse(String(MAX_TIMER_MS)).ok, true)
  // DD_PROFILING_UPLOAD_TIMEOUT is in milliseconds, as in dd-trace-js.
  assert.equal(SCHEMA.uploadTimeout.type.parse(String(MAX_TIMER_MS)).ok, true)
  assert.equal(SCHEMA.uploadTimeout.type.parse(String(MAX_TIMER_MS + 1)).ok, false)
  assert.equal(SCHEMA.eventLoopThreshold.type.parse(String(MAX_TIMER_MS + 1)).ok, false)
  assert.equal(SCHEMA.heapSamplingInterval.type.parse(String(MAX_HEAP_INTERVAL)).ok, true)
  assert.equal(SCHEMA.heapSamplingInterval.type.parse('4294967296').ok, false)
})

test('service, env, version and each tag stay within the Datadog limits', () => {
  assert.equal(SCHEMA.service.type.parse('s'.repeat(100)).ok, true)
  const long = SCHEMA.service.type.parse('s'.repeat(101))
  assert.equal(long.ok, false)
  if (!long.ok) assert.match(long.expected, /at most 100 bytes .*got 101/)
  // Bytes, as the agent counts: 34 three-byte characters are 102 bytes.
  assert.equal(SCHEMA.service.type.parse('€'.repeat(34)).ok, false)
  assert.equal(SCHEMA.env.type.parse('e'.repeat(196)).ok, true)
  assert.equal(SCHEMA.env.type.parse('e'.repeat(197)).ok, false)
  assert.equal(SCHEMA.version.type.parse('1'.repeat(192)).ok, true)
  assert.equal(SCHEMA.version.type.parse('1'.repeat(193)).ok, false)
  assert.equal(SCHEMA.tags.type.parse(`k:${'v'.repeat(198)}`).ok, true)
  assert.equal(SCHEMA.tags.type.parse(`a:b,k:${'v'.repeat(199)}`).ok, false)
  assert.deepEqual(text('a name', { max: 3, why: 'test' }).parse(' abc '), { ok: true, value: 'abc' })
})

test('hosts are names, IPv4 or IPv6 addresses, and nothing that would change the URL', () => {
  const h = hostName('a host')
  for (const ok of ['agent', 'datadog-agent.monitoring.svc.cluster.local', 'agent.', '127.0.0.1', '::1', '[::1]', 'fe80::1', '[2001:db8::8126]', '::ffff:10.0.0.1', 'dd_agent', 'a'.repeat(63)]) {
    assert.equal(h.parse(ok).ok, true, ok)
  }
  for (const bad of [':', '::::', ' ', '', 'host:8126', '[host]', '[::1', '::1]', 'a/b', 'user@agent', 'a b', '-agent', 'agent-', 'a..b', '.agent', 'a'.repeat(64), `${'a'.repeat(60)}.`.repeat(5), '[::1]:8126', '1:2:3:4:5:6:7:8:9', 'agent#x', 'fe80::1%eth0']) {
    assert.equal(h.parse(bad).ok, false, JSON.stringify(bad))
  }
})
