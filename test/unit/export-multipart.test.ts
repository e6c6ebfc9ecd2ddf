// The upload body: what encodeMultipart builds is read back by the fake agent's strict parser, and that parser
// rejects the malformed bodies a real multipart parser rejects (so the round trip proves something).
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { encodeMultipart, newBoundary } from '../../src/export/multipart'
import type { Bundle } from '../../src/export/types'
import { parseMultipart } from '../helpers/fake-agent'

const bundle: Bundle = {
  event: { attachments: ['wall.pprof', 'space.pprof'], start: '2026-11-24T21:00:00.000Z', end: '2026-11-24T21:01:00.000Z', family: 'node', version: '4', tags_profiler: 'service:web', info: {} },
  attachments: [
    { name: 'wall.pprof', data: Buffer.from([0x1f, 0x8b, 0, 1, 2, 13, 10, 45, 45]) },
    { name: 'space.pprof', data: Buffer.from('binary\r\n--not-the-boundary\r\n') },
  ],
}

describe('encodeMultipart', () => {
  it('puts the event first, then one part per attachment, bodies byte for byte', () => {
    const mp = encodeMultipart(bundle)
    const parts = parseMultipart(mp.contentType, mp.body)
    assert.deepEqual(
      parts.map((p) => [p.name, p.filename, p.contentType]),
      [
        ['event', 'event.json', 'application/json'],
        ['wall.pprof', 'wall.pprof', 'application/octet-stream'],
        ['space.pprof', 'space.pprof', 'application/octet-stream'],
      ],
    )
    assert.deepEqual(JSON.parse(parts[0]!.data.toString()), bundle.event)
    assert.ok(parts[1]!.data.equals(bundle.attachments[0]!.data))
    assert.ok(parts[2]!.data.equals(bundle.attachments[1]!.data))
  })

  it('uses a fresh boundary each time, declared in the Content-Type', () => {
    const a = encodeMultipart(bundle)
    const b = encodeMultipart(bundle)
    assert.notEqual(a.contentType, b.contentType)
    assert.match(a.contentType, /^multipart\/form-data; boundary=ddrun[0-9a-f]{32}$/)
    assert.ok(a.body.toString('latin1').startsWith(`--${a.contentType.split('boundary=')[1]}\r\n`))
    assert.ok(a.body.toString('latin1').endsWith('--\r\n'))
  })
})

describe('the fake agent multipart parser is strict', () => {
  const boundary = newBoundary()
  const good = encodeMultipart(bundle, boundary)
  const body = good.body.toString('latin1')
  const bad = (text: string, contentType = good.contentType) => () => parseMultipart(contentType, Buffer.from(text, 'latin1'))

  it('accepts the well-formed body', () => assert.equal(parseMultipart(good.contentType, good.body).length, 3))
  it('rejects a Content-Type without a boundary', () => assert.throws(bad(body, 'multipart/form-data'), /valid boundary/))
  it('rejects a boundary longer than 70 characters', () => assert.throws(bad(body, `multipart/form-data; boundary=${'a'.repeat(71)}`), /valid boundary/))
  it('rejects another boundary than the declared one', () => assert.throws(bad(body, 'multipart/form-data; boundary=other'), /start with the boundary/))
  it('rejects bare LF line ends', () => assert.throws(bad(body.replace(/\r\n/g, '\n')), /start with the boundary|blank line|CRLF/))
  it('rejects a missing close delimiter', () => assert.throws(bad(body.slice(0, body.lastIndexOf(`--${boundary}--`) - 2)), /close delimiter/))
  it('rejects bytes after the close delimiter', () => assert.throws(bad(body + 'junk'), /after the close/))
  it('rejects a part without a filename', () => assert.throws(bad(body.replace('name="event"; filename="event.json"', 'name="event"')), /Content-Disposition/))
  it('rejects a part that is not form-data', () => assert.throws(bad(body.replace('Content-Disposition: form-data;', 'Content-Disposition: attachment;')), /Content-Disposition/))
  it('rejects a part without a Content-Type', () => assert.throws(bad(body.replace('Content-Type: application/json\r\n', '')), /no Content-Type/))
  it('rejects a part without the blank line after its headers', () => {
    const i = body.indexOf('\r\n\r\n')
    assert.throws(bad(body.slice(0, i) + '\r\n' + body.slice(i + 4)), /malformed part header|blank line/)
  })
})
