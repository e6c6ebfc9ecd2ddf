import assert from 'node:assert/strict'
import { test } from 'node:test'
import { distance, typoWarnings } from '../../src/config/typos'

test('edit distance', () => {
  assert.equal(distance('kitten', 'sitting'), 3)
  assert.equal(distance('', 'abc'), 3)
  assert.equal(distance('same', 'same'), 0)
})

test('near-misses of setting names are flagged with the likely name; other DD_* variables are left alone', () => {
  assert.deepEqual(
    typoWarnings({
      DD_PROFILING_UPLOADPERIOD: '10',
      DD_SERVCE: 'web',
      DD_SERVICE: 'web',
      DD_LOGS_INJECTION: 'true',
      DD_RUN_ID: 'x',
      HOME: '/root',
    }),
    [
      'DD_PROFILING_UPLOADPERIOD is not a dd-run setting (did you mean DD_PROFILING_UPLOAD_PERIOD?)',
      'DD_SERVCE is not a dd-run setting (did you mean DD_SERVICE?)',
    ],
  )
})
