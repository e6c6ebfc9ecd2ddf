// What doctor says about PID 1 (pure; the real /proc/1 is whatever the test machine has).
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { classifyPid1 } from '../../src/doctor/pid1'

describe('classifyPid1', () => {
  it('an init is fine', () => {
    for (const comm of ['tini', 'docker-init', 'dumb-init', 'systemd']) assert.equal(classifyPid1({ selfPid: 40, comm }).status, 'ok', comm)
  })
  it('node without an init is a warning with a fix', () => {
    const c = classifyPid1({ selfPid: 40, comm: 'node', cmdline: 'node dist/server.js' })
    assert.equal(c.status, 'warning')
    assert.match(c.detail, /PID 1 is node without an init/)
    assert.match(c.fix!, /ENTRYPOINT \["dd-run"\]/)
  })
  it('dd-run as PID 1 is fine', () => {
    assert.equal(classifyPid1({ selfPid: 40, comm: 'node', cmdline: 'node /usr/local/bin/dd-run node server.js' }).status, 'ok')
  })
  it('a shell as PID 1 is a warning', () => {
    assert.match(classifyPid1({ selfPid: 40, comm: 'sh', cmdline: '/bin/sh -c node server.js' }).detail, /does not forward SIGTERM/)
  })
  it('doctor itself as PID 1 says so', () => {
    assert.match(classifyPid1({ selfPid: 1, comm: 'node' }).detail, /itself is PID 1/)
  })
  it('no /proc: nothing to say', () => {
    assert.equal(classifyPid1({ selfPid: 40 }).status, 'ok')
  })
})
