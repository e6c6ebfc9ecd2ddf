// DD_PROFILING_DEBUG_UPLOAD_COMPRESSION: the values dd-trace-js accepts, what each means in a process with and
// without zstd in zlib, and a round trip of a real gzip profile into each codec.
import assert from 'node:assert/strict'
import * as zlib from 'node:zlib'
import { describe, it } from 'node:test'
import { uploadCompression } from '../../src/config/value-types'
import { chooseCodec, forUpload } from '../../src/export/upload-compression'
import { realBundle } from '../helpers/bundles'
import { codecOf, decompressProfile } from '../helpers/profile-codec'

describe('DD_PROFILING_DEBUG_UPLOAD_COMPRESSION', () => {
  const t = uploadCompression()
  it('accepts on, off, gzip[-1..9], zstd[-1..22], any case', () => {
    assert.deepEqual(t.parse('on'), { ok: true, value: { method: 'on' } })
    assert.deepEqual(t.parse('OFF'), { ok: true, value: { method: 'off' } })
    assert.deepEqual(t.parse('gzip-9'), { ok: true, value: { method: 'gzip', level: 9 } })
    assert.deepEqual(t.parse('zstd-22'), { ok: true, value: { method: 'zstd', level: 22 } })
    assert.equal(t.format({ method: 'zstd', level: 3 }), 'zstd-3')
  })
  it('refuses other codecs and levels out of range, saying what it expected', () => {
    for (const bad of ['brotli', 'gzip-0', 'gzip-10', 'zstd-23', 'on-3', 'zstd-', '']) {
      assert.deepEqual(t.parse(bad), { ok: false, expected: 'on, off, gzip, gzip-1 to gzip-9, zstd or zstd-1 to zstd-22' }, bad)
    }
  })
  it('on is zstd where zlib has it and gzip elsewhere; zstd falls back to gzip; off sends the raw proto', () => {
    assert.deepEqual(chooseCodec({ method: 'on' }, true), { codec: 'zstd' })
    assert.deepEqual(chooseCodec({ method: 'on' }, false), { codec: 'gzip' })
    assert.deepEqual(chooseCodec({ method: 'zstd', level: 19 }, false), { codec: 'gzip' })
    assert.deepEqual(chooseCodec({ method: 'zstd', level: 19 }, true), { codec: 'zstd', level: 19 })
    assert.deepEqual(chooseCodec({ method: 'gzip', level: 1 }, true), { codec: 'gzip', level: 1 })
    assert.deepEqual(chooseCodec({ method: 'off' }, true), { codec: 'none' })
  })
})

describe('forUpload', () => {
  it('keeps the gzip bundle as it is, and recompresses into gzip at a level or none, the proto unchanged', async () => {
    const bundle = await realBundle()
    assert.equal(await forUpload(bundle, { codec: 'gzip' }), bundle)
    for (const choice of [{ codec: 'gzip' as const, level: 1 }, { codec: 'none' as const }]) {
      const up = await forUpload(bundle, choice)
      up.attachments.forEach((a, i) => {
        assert.equal(codecOf(a.data), choice.codec)
        assert.ok(decompressProfile(a.data).equals(zlib.gunzipSync(bundle.attachments[i]!.data)))
      })
      // The bundle itself stays gzip: a flush hands it back to be written to disk.
      for (const a of bundle.attachments) assert.equal(codecOf(a.data), 'gzip')
    }
  })
  it('zstd, where this Node has it', { skip: typeof (zlib as { zstdCompress?: unknown }).zstdCompress !== 'function' && 'no zstd in this Node\'s zlib (the integration test covers it on Node 24)' }, async () => {
    const bundle = await realBundle()
    const up = await forUpload(bundle, { codec: 'zstd', level: 3 })
    for (const a of up.attachments) assert.equal(codecOf(a.data), 'zstd')
  })
})
