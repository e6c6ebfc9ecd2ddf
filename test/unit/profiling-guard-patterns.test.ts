// --only / --skip patterns: the same answers as the regular expression they replaced, without its backtracking.
import { strict as assert } from 'node:assert'
import { test } from 'node:test'
import { patternMatches } from '../../src/profiling/guard'

/** The matcher dd-run used before: `*` became `.*` in an unanchored regular expression. */
function regexMatches(pattern: string, subject: string): boolean {
  const re = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*')
  return new RegExp(re).test(subject)
}

test('patterns: the same answers as the old regular expression on every small pattern and subject', () => {
  // Every pattern of up to 4 characters over {a, b, *, .} against every subject of up to 5 over {a, b, .}.
  const words = (alphabet: string, max: number): string[] => {
    const out = ['']
    for (let i = 0, from = 0; i < max; i++) {
      const to = out.length
      for (let j = from; j < to; j++) for (const c of alphabet) out.push(out[j] + c)
      from = to
    }
    return out
  }
  let compared = 0
  for (const pattern of words('ab*.', 4)) {
    for (const subject of words('ab.', 5)) {
      assert.equal(patternMatches(pattern, subject), regexMatches(pattern, subject), `${JSON.stringify(pattern)} on ${JSON.stringify(subject)}`)
      compared++
    }
  }
  assert.ok(compared > 10_000)
})

test('patterns: many stars against a long subject that almost matches end with an answer (no backtracking blow-up)', () => {
  const pattern = `${'a*'.repeat(16)}b`
  assert.equal(patternMatches(pattern, 'a'.repeat(10_000)), false)
  assert.equal(patternMatches(pattern, `${'a'.repeat(10_000)}b`), true)
  assert.equal(patternMatches('*'.repeat(1000), ''), true)
  assert.equal(patternMatches(`${'*x'.repeat(500)}*y`, 'x'.repeat(100_000)), false)
})

test('patterns: special characters are literal, a star may match nothing', () => {
  assert.ok(patternMatches('a+b(c)', 'x a+b(c) y'))
  assert.ok(!patternMatches('a+b', 'aab'))
  assert.ok(patternMatches('server*.js', 'server.js'))
  assert.ok(patternMatches('', 'anything'))
  assert.ok(!patternMatches('ab*ba', 'aba'), 'segments do not overlap')
})
