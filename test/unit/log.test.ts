import assert from 'node:assert/strict'
import { test } from 'node:test'
import { colorPainter, createLogger, wantsColor } from '../../src/log'

test('colour only on a TTY, never with NO_COLOR or --no-color, always with FORCE_COLOR', () => {
  const tty = { isTTY: true }
  const pipe = { isTTY: false }
  assert.equal(wantsColor({}, tty, undefined), true)
  assert.equal(wantsColor({}, pipe, undefined), false)
  assert.equal(wantsColor({ TERM: 'dumb' }, tty, undefined), false)
  assert.equal(wantsColor({ NO_COLOR: '1' }, tty, undefined), false)
  assert.equal(wantsColor({ NO_COLOR: '' }, tty, undefined), true, 'an empty NO_COLOR is unset (no-color.org)')
  assert.equal(wantsColor({}, tty, false), false)
  assert.equal(wantsColor({ FORCE_COLOR: '1' }, pipe, undefined), true)
  assert.equal(wantsColor({ FORCE_COLOR: '0' }, tty, undefined), true, 'FORCE_COLOR=0 forces nothing; the TTY decides')
  assert.equal(wantsColor({ FORCE_COLOR: '1' }, tty, false), false, '--no-color wins over FORCE_COLOR')
})

test('the painter wraps each part in its own open and close codes, so the rest of the line keeps its style', () => {
  const lines: string[] = []
  const log = createLogger({ painter: colorPainter(), write: (l) => lines.push(l), debug: true })
  log.warn('careful')
  log.error('broken')
  log.debug('detail')
  log.info('plain')
  assert.deepEqual(lines, [
    '\x1b[35mdd-run:\x1b[39m \x1b[33mcareful\x1b[39m',
    '\x1b[35mdd-run:\x1b[39m \x1b[31mbroken\x1b[39m',
    '\x1b[35mdd-run:\x1b[39m \x1b[2mdetail\x1b[22m',
    '\x1b[35mdd-run:\x1b[39m plain',
  ])
})

test('without a painter nothing is escaped', () => {
  const lines: string[] = []
  createLogger({ write: (l) => lines.push(l), tag: '42' }).warn('careful')
  assert.deepEqual(lines, ['dd-run[42]: careful'])
})
