// zstd uploads from a program on a Node whose zlib has zstd (24 from the version matrix), gzip from one without
// (the test's Node 20), the setting's other values, and files on disk that stay gzip either way. The periodic
// uploads are the ones a profiled process sends itself; what it could not send at exit the launcher relays, with
// the launcher's Node (the tests' 20: gzip), so the tests look at the periodic ones.
import assert from 'node:assert/strict'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { after, describe, it } from 'node:test'
import { FakeAgent } from '../helpers/fake-agent'
import { nodeBinary, withNodeOnPath } from '../helpers/node-versions'
import { fixture } from '../helpers/paths'
import { codecOf } from '../helpers/profile-codec'
import { listBundles } from '../helpers/profiles'
import { cleanEnv, ddRun, tempDir } from '../helpers/run'

const app = fixture(path.join('profiling', 'cpu-burn.js'))
const agents: FakeAgent[] = []
after(() => Promise.all(agents.map((a) => a.close())))
const node24 = nodeBinary(24)
const hasZstd = (major: number) => major >= 23 || (major === 22 && Number(process.versions.node.split('.')[1]) >= 15)

/** Every profile part came in this codec (parts without samples are left out of an upload, so their number varies). */
function allIn(codecs: string[], expected: string): void {
  assert.ok(codecs.length >= 2, `parts: ${codecs.join(', ')}`)
  assert.deepEqual(codecs, codecs.map(() => expected))
}

async function upload(env: NodeJS.ProcessEnv, out?: string) {
  const agent = await FakeAgent.start()
  agents.push(agent)
  const r = await ddRun(['--exporters', out ? 'agent,file' : 'agent', ...(out ? ['-o', out] : []), '--upload-period', '1', 'node', app, '1600'], { env: { ...env, DD_TRACE_AGENT_URL: agent.url } })
  assert.equal(r.code, 0, r.stderr)
  const up = agent.uploads.find((u) => /(^|,)snapshot:periodic(,|$)/.test(u.event.tags_profiler))
  assert.ok(up, `a periodic upload among ${agent.uploads.length}: ${r.stderr}`)
  // The fake agent has decoded every part; what remains is which codec each came in.
  return up.parts.filter((p) => p.name.endsWith('.pprof')).map((p) => codecOf(p.data))
}

describe('upload compression', () => {
  it(`by default, gzip from Node ${process.versions.node} (${hasZstd(Number(process.versions.node.split('.')[0])) ? 'with' : 'without'} zstd)`, async () => {
    const codecs = await upload(cleanEnv())
    const expected = hasZstd(Number(process.versions.node.split('.')[0])) ? 'zstd' : 'gzip'
    allIn(codecs, expected)
  })

  describe('from a program on Node 24', { skip: !node24 && 'Node 24 is not installed (scripts/install-node-versions.sh)' }, () => {
    it('by default zstd on the wire, and the files on disk still gzip', async () => {
      const out = tempDir()
      allIn(await upload(withNodeOnPath(node24!, cleanEnv()), out), 'zstd')
      const [b] = listBundles(out)
      for (const a of b!.event.attachments) assert.equal(codecOf(fs.readFileSync(b!.file(a))), 'gzip')
    })
    it('gzip-1 and off are followed', async () => {
      allIn(await upload(withNodeOnPath(node24!, cleanEnv({ DD_PROFILING_DEBUG_UPLOAD_COMPRESSION: 'gzip-1' }))), 'gzip')
      allIn(await upload(withNodeOnPath(node24!, cleanEnv({ DD_PROFILING_DEBUG_UPLOAD_COMPRESSION: 'off' }))), 'none')
    })
  })

  it('a bad value is named with what is expected: a warning and the default, or exit 2 before anything runs with --strict', async () => {
    const env = cleanEnv({ DD_PROFILING_DEBUG_UPLOAD_COMPRESSION: 'brotli' })
    const warned = await ddRun(['node', '-e', '0'], { env })
    assert.equal(warned.code, 0, warned.stderr)
    assert.match(warned.stderr, /DD_PROFILING_DEBUG_UPLOAD_COMPRESSION.*zstd-1 to zstd-22/)
    const strict = await ddRun(['--strict', 'node', '-e', 'process.stdout.write("ran")'], { env })
    assert.equal(strict.code, 2)
    assert.equal(strict.stdout, '')
    assert.match(strict.stderr, /DD_PROFILING_DEBUG_UPLOAD_COMPRESSION.*zstd-1 to zstd-22/)
  })
})
