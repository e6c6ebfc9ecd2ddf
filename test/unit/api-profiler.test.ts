// The Profiler's options go through the schema's parsers, layered above the DD_* variables like the CLI's flags.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Profiler } from '../../src/api/profiler'
import { framesOfStack } from '../../src/profiling/pprof-build'

test('options map to settings, above the environment; arrays, objects and numbers are accepted', () => {
  const p = new Profiler({ service: 'svc', tags: { team: 'core' }, profilers: ['wall', 'events'], uploadPeriod: 30 }, { DD_ENV: 'prod', DD_SERVICE: 'from-env', DD_PROFILING_UPLOAD_PERIOD: '10' })
  assert.equal(p.config.service, 'svc')
  assert.equal(p.config.env, 'prod')
  assert.equal(p.config.uploadPeriod, 30)
  assert.deepEqual(p.config.tags, { team: 'core' })
  assert.deepEqual(p.config.profilers, ['wall', 'events'])
  assert.equal(p.running, false)
})

test('every problem at once, in the CLI words; unknown options with a suggestion', () => {
  assert.throws(
    () => new Profiler({ uploadPeriod: -1, profilers: ['wall', 'cpu'], uploadPeriods: 3 } as never, {}),
    (err: Error) => {
      assert.ok(err instanceof TypeError)
      assert.match(err.message, /^dd-run: invalid Profiler options: /)
      assert.match(err.message, /uploadPeriods: not a Profiler option \(did you mean uploadPeriod\?\)/)
      assert.match(err.message, /uploadPeriod="-1": expected a number of seconds from 1 to 2147483.647/)
      assert.match(err.message, /profilers="wall,cpu": expected a comma-separated list of wall, space, events, exceptions/)
      return true
    },
  )
  // A bad DD_* variable under the options is reported too, named as the variable.
  assert.throws(() => new Profiler({}, { DD_PROFILING_EVENT_LOOP_THRESHOLD_MS: 'soon' }), /DD_PROFILING_EVENT_LOOP_THRESHOLD_MS="soon": expected a number of milliseconds from 1 to 2147483647/)
})

test('exception stacks: frames of V8 stack text, leaf first, [as x] aliases dropped', () => {
  const stack = [
    'TypeError: nope',
    '    at Timeout.throwIt [as _onTimeout] (/app/a.js:3:9)',
    '    at async handler (file:///app/b.mjs:10:5)',
    '    at /app/c.js:7:1',
    '    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)',
  ].join('\n')
  assert.deepEqual(framesOfStack(stack), [
    { name: 'Timeout.throwIt', file: '/app/a.js', line: 3 },
    { name: 'handler', file: '/app/b.mjs', line: 10 },
    { name: '(anonymous)', file: '/app/c.js', line: 7 },
    { name: 'process.processTicksAndRejections', file: 'node:internal/process/task_queues', line: 95 },
  ])
  assert.deepEqual(framesOfStack(undefined), [])
})
