import { test } from 'node:test'
import * as assert from 'node:assert/strict'
import { isoTime } from '../../src/iso-time'

test('isoTime gives what toISOString gives, across the years and the edges of a day', () => {
  const moments = [
    0,
    -1,
    Date.UTC(1999, 11, 31, 23, 59, 59, 999),
    Date.UTC(2000, 1, 29, 12, 0, 0, 5),
    Date.UTC(2026, 10, 27, 1, 2, 3, 45),
    Date.UTC(2100, 1, 28, 23, 59, 59, 0),
    Date.UTC(9999, 11, 31, 23, 59, 59, 999),
    Date.UTC(1900, 0, 1),
    -62167219200000, // 0000-01-01T00:00:00.000Z
  ]
  // A spread of instants over three centuries, with every millisecond digit in use.
  for (let t = -3e12; t < 8e12; t += 7_919_993_471) moments.push(t)
  for (const t of moments) assert.equal(isoTime(t), new Date(t).toISOString(), `at ${t}`)
  for (const t of moments) assert.equal(isoTime(new Date(t)), new Date(t).toISOString(), `at Date(${t})`)
})

test('isoTime leaves years outside 0..9999 and invalid dates to toISOString', () => {
  for (const t of [Date.UTC(10000, 0, 1), -62167219200001, 8.64e15, -8.64e15]) assert.equal(isoTime(t), new Date(t).toISOString())
  assert.throws(() => isoTime(Number.NaN), RangeError)
})

test('isoTime without an argument is now', () => {
  const before = Date.now()
  const t = Date.parse(isoTime())
  assert.ok(t >= before && t <= Date.now())
})
