import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { test } from 'node:test'
import { addPreload, quote, requiredFiles, tokenize } from '../../src/launch/node-options'

test('tokenize follows Node: spaces split, quotes group, backslash escapes inside quotes', () => {
  assert.deepEqual(tokenize('--a  --b "c d" e"f g"h'), { ok: true, tokens: ['--a', '--b', 'c d', 'ef gh'] })
  assert.deepEqual(tokenize('"a\\"b\\\\c"'), { ok: true, tokens: ['a"b\\c'] })
  assert.deepEqual(tokenize('a\\b'), { ok: true, tokens: ['a\\b'] })
  assert.deepEqual(tokenize('""'), { ok: true, tokens: [''] })
  assert.equal(tokenize('--require "unclosed').ok, false)
})

test('quote round-trips through tokenize for hostile paths', () => {
  for (const p of ['/a b/c.js', '/q"uote/x.js', '/back\\slash/x.js', "/it's/ü/€.js", '/trail\\']) {
    assert.deepEqual(tokenize(quote(p)), { ok: true, tokens: [p] })
  }
})

test('addPreload appends once and keeps the user value', () => {
  const pre = '/opt/dd run/preload.js'
  const first = addPreload('--max-old-space-size=100', pre)
  assert.deepEqual(first, { ok: true, value: '--max-old-space-size=100 --require "/opt/dd run/preload.js"', added: true })
  assert.ok(first.ok)
  assert.deepEqual(addPreload(first.value, pre), { ok: true, value: first.value, added: false })
  assert.deepEqual(addPreload(undefined, pre), { ok: true, value: '--require "/opt/dd run/preload.js"', added: true })
  assert.deepEqual(addPreload(`-r "${pre}"`, pre), { ok: true, value: `-r "${pre}"`, added: false })
  assert.deepEqual(requiredFiles(['--require=/x.js', '-r', '/y.js', '--inspect']), ['/x.js', '/y.js'])
  assert.equal(addPreload('--require "x', pre).ok, false)
})

test('Node itself reads what addPreload writes', () => {
  const r = addPreload('--no-warnings', '/nonexistent dir/with "quotes"/and\\slash/p.js')
  assert.ok(r.ok)
  // Node reports the missing file with the exact path it parsed out of NODE_OPTIONS.
  let stderr = ''
  try {
    execFileSync(process.execPath, ['-e', '0'], { env: { NODE_OPTIONS: r.value }, stdio: 'pipe' })
  } catch (err) {
    stderr = String((err as { stderr: Buffer }).stderr)
  }
  assert.match(stderr, /Cannot find module '\/nonexistent dir\/with "quotes"\/and\\slash\/p\.js'/)
})
