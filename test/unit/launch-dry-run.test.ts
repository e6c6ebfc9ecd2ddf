import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { test } from 'node:test'
import { changedVariables, dockerQuote, formatDryRun, shellQuote } from '../../src/launch/dry-run'

test('only changed variables are listed, NODE_OPTIONS first, secrets redacted', () => {
  const before = { PATH: '/bin', DD_ENV: 'prod' }
  const after = { PATH: '/bin', DD_ENV: 'prod', DD_SERVICE: 'web', NODE_OPTIONS: '--require "/x"', DD_API_KEY: 'abcdef123456' }
  assert.deepEqual(changedVariables(before, after), [
    ['NODE_OPTIONS', '--require "/x"'],
    ['DD_API_KEY', '****3456'],
    ['DD_SERVICE', 'web'],
  ])
})

test('shell quoting survives sh', () => {
  for (const v of [`it's "x" $HOME \\ \``, '--require "/a b/p.js"', 'ü']) {
    const out = execFileSync('sh', ['-c', `printf %s ${shellQuote(v)}`], { encoding: 'utf8' })
    assert.equal(out, v)
  }
})

test('Dockerfile quoting escapes quotes, backslashes and dollars', () => {
  assert.equal(dockerQuote('a "b" \\ $X'), '"a \\"b\\" \\\\ \\$X"')
  const text = formatDryRun([
    ['NODE_OPTIONS', '--require "/p.js"'],
    ['DD_SERVICE', 'web'],
  ])
  assert.equal(
    text,
    [
      '# shell',
      `export NODE_OPTIONS='--require "/p.js"'`,
      `export DD_SERVICE='web'`,
      '',
      '# Dockerfile',
      'ENV NODE_OPTIONS="--require \\"/p.js\\"" \\',
      '    DD_SERVICE="web"',
      '',
    ].join('\n'),
  )
})
