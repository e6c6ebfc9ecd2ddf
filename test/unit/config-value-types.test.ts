import assert from 'node:assert/strict'
import { test } from 'node:test'
import { agentUrl, bool, nameList, num, patternList, port, tagList, text } from '../../src/config/value-types'

test('booleans accept true/false/1/0 and ddtrace-py\'s yes/no/on/off in any case, and nothing else', () => {
  const b = bool()
  for (const raw of ['true', 'TRUE', ' True ', '1', 'yes', 'On']) assert.deepEqual(b.parse(raw), { ok: true, value: true })
  for (const raw of ['false', 'False', '0', 'no', 'OFF']) assert.deepEqual(b.parse(raw), { ok: true, value: false })
  for (const raw of ['', 'truthy', '2', 'auto']) assert.equal(b.parse(raw).ok, false, raw)
})

test('numbers are plain decimals within range', () => {
  const n = num({ min: 1, max: 3600, unit: 'seconds' })
  assert.deepEqual(n.parse('60'), { ok: true, value: 60 })
  assert.deepEqual(n.parse('1.5'), { ok: true, value: 1.5 })
  assert.deepEqual(n.parse(' 10 '), { ok: true, value: 10 })
  assert.deepEqual(n.parse('3600'), { ok: true, value: 3600 })
  for (const raw of ['abc', '1m', '0', '-5', '0x10', '', 'Infinity', 'NaN', '1e999', '10s', '3600.5', '1e308']) {
    const r = n.parse(raw)
    assert.equal(r.ok, false, raw)
    if (!r.ok) assert.equal(r.expected, 'a number of seconds from 1 to 3600')
  }
  const i = num({ min: 1024, max: 2 ** 32 - 1, integer: true, unit: 'bytes' })
  assert.equal(i.parse('1024.5').ok, false)
  assert.equal(i.parse('524288').ok, true)
})

test('ports are whole numbers from 1 to 65535', () => {
  const p = port()
  assert.deepEqual(p.parse('8126'), { ok: true, value: 8126 })
  for (const raw of ['0', '65536', '80.5', 'http']) {
    const r = p.parse(raw)
    assert.equal(r.ok, false)
    if (!r.ok) assert.equal(r.expected, 'a port number from 1 to 65535')
  }
})

test('name lists are checked against the known names, de-duplicated, case-insensitive', () => {
  const l = nameList(['wall', 'space'] as const)
  assert.deepEqual(l.parse('wall,space'), { ok: true, value: ['wall', 'space'] })
  assert.deepEqual(l.parse(' Space , wall,wall,'), { ok: true, value: ['space', 'wall'] })
  assert.deepEqual(l.parse(''), { ok: true, value: [] })
  const bad = l.parse('wall,cpu')
  assert.equal(bad.ok, false)
  if (!bad.ok) assert.equal(bad.expected, 'a comma-separated list of wall, space')
  assert.equal(l.format(['space', 'wall']), 'space,wall')
})

test('tags are key:value pairs separated by commas or spaces; values may hold colons', () => {
  const t = tagList()
  assert.deepEqual(t.parse('team:web,region:eu'), { ok: true, value: { team: 'web', region: 'eu' } })
  assert.deepEqual(t.parse('team:web region:eu'), { ok: true, value: { team: 'web', region: 'eu' } })
  assert.deepEqual(t.parse('url:http://x:1, a:b'), { ok: true, value: { url: 'http://x:1', a: 'b' } })
  assert.deepEqual(t.parse('équipe:café'), { ok: true, value: { équipe: 'café' } })
  for (const raw of ['bad', ':x', 'x:', 'a:b,c']) assert.equal(t.parse(raw).ok, false, raw)
  assert.equal(t.format({ a: 'b', c: 'd:e' }), 'a:b,c:d:e')
})

test('agent URLs must be http, https or unix', () => {
  const u = agentUrl()
  assert.deepEqual(u.parse('http://agent:8126/'), { ok: true, value: 'http://agent:8126' })
  assert.deepEqual(u.parse('https://agent'), { ok: true, value: 'https://agent' })
  assert.deepEqual(u.parse('unix:///var/run/datadog/apm.socket'), { ok: true, value: 'unix:///var/run/datadog/apm.socket' })
  for (const raw of ['agent:8126', 'ftp://agent', 'http://', 'unix://', '127.0.0.1']) assert.equal(u.parse(raw).ok, false, raw)
})

test('text must not be blank; pattern lists must name at least one pattern', () => {
  assert.equal(text().parse('   ').ok, false)
  assert.deepEqual(text().parse(' web '), { ok: true, value: 'web' })
  assert.deepEqual(patternList().parse('*webpack*, jest'), { ok: true, value: ['*webpack*', 'jest'] })
  assert.equal(patternList().parse(' , ').ok, false)
})
