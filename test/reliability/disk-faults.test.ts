// Disk faults for the file exporter, with real processes: an output directory that is read-only, full (a 1 MiB
// tmpfs mounted by the test, root only), removed while the app runs, or holding a planted symlink. Each time: one
// warning at most, the app's output and exit code unchanged, writes resume once the fault is gone, and no partial
// bundle is ever left (every bundle on disk is whole, readable by go tool pprof).
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { describe, it } from 'node:test'
import { gunzipSync } from 'node:zlib'
import { FileExporter } from '../../src/export/file'
import { bundlePath } from '../../src/export/layout'
import { realBundle } from '../helpers/bundles'
import { DD_RUN, fixture } from '../helpers/paths'
import { pprofRaw } from '../helpers/pprof'
import { listBundles } from '../helpers/profiles'
import { mountTmpfs } from '../helpers/tmpfs'
import { cleanEnv, ddRun, start, tempDir, waitFor } from '../helpers/run'

const APP = fixture('reliability/app.js')
const isRoot = process.getuid?.() === 0
const canMount = isRoot && tryMount()

function tryMount(): boolean {
  const dir = fs.mkdtempSync('/tmp/dd-run-mount-probe-')
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir], { stdio: 'ignore' })
    execFileSync('umount', [dir], { stdio: 'ignore' })
    return true
  } catch {
    return false
  } finally {
    fs.rmdirSync(dir)
  }
}

/** Every bundle on disk is whole: event.json parses, each attachment it names is there and gunzips completely. */
function assertWhole(out: string): number {
  const bundles = listBundles(out)
  for (const b of bundles) {
    assert.ok(b.event.attachments.length > 0, b.dir)
    for (const a of b.event.attachments) gunzipSync(fs.readFileSync(b.file(a)))
    assert.deepEqual(fs.readdirSync(b.dir).sort(), ['event.json', ...b.event.attachments].sort(), b.dir)
  }
  return bundles.length
}

/** The warnings a process printed about the file exporter (the run summary's lines are indented). */
const fileWarnings = (stderr: string) => stderr.split('\n').filter((l) => /^dd-run: file: /.test(l))

async function bare(args: string[]): Promise<{ code: number | null; stdout: string }> {
  const r = await start(process.execPath, [APP, ...args]).done
  return { code: r.code, stdout: r.stdout }
}

describe('disk faults', () => {
  it('a read-only output directory: one warning, the app unchanged, nothing written', { skip: !canMount && 'needs root to mount a read-only tmpfs' }, async () => {
    const out = mountTmpfs('ro,size=1m', 'ro-') as string
    const r = await ddRun(['--upload-period', '1', 'node', APP, '2500', '5'], { env: cleanEnv({ DD_PROFILING_OUTPUT_DIR: out }) })
    assert.equal(r.code, 5, r.stderr)
    assert.equal(r.stdout, (await bare(['10', '5'])).stdout)
    assert.equal(fileWarnings(r.stderr).length, 1, r.stderr)
    assert.match(r.stderr, /EROFS|read-only/i)
    assert.deepEqual(fs.readdirSync(out), [])
  })

  it('a full disk: one warning, no partial files, and writes resume when space returns', { skip: !canMount && 'needs root to mount a small tmpfs' }, async () => {
    const out = mountTmpfs('size=1m', 'full-') as string
    // Fill it to the last byte.
    const filler = path.join(out, 'filler')
    const fd = fs.openSync(filler, 'w')
    const block = Buffer.alloc(4096, 1)
    try {
      for (;;) fs.writeSync(fd, block)
    } catch (err) {
      assert.equal((err as NodeJS.ErrnoException).code, 'ENOSPC')
    } finally {
      fs.closeSync(fd)
    }
    const run = start(process.execPath, [DD_RUN, '--upload-period', '1', 'node', APP, '6000', '4'], {
      env: cleanEnv({ DD_PROFILING_OUTPUT_DIR: out }),
    })
    let stderr = ''
    run.child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()))
    await waitFor(() => fileWarnings(stderr).length > 0, 20_000, 'the disk-full warning')
    assert.match(stderr, /ENOSPC|no space/i)
    // No partial bundle while the disk was full.
    assert.equal(assertWhole(out), 0)
    fs.rmSync(filler)
    const r = await run.done
    assert.equal(r.code, 4, r.stderr)
    assert.equal(r.stdout, 'start\ndone\n')
    assert.equal(fileWarnings(r.stderr).length, 1, r.stderr)
    const n = assertWhole(out)
    assert.ok(n >= 2, `${n} bundles after space returned`)
    const last = listBundles(out).at(-1)!
    assert.equal(last.tags.snapshot, 'on_shutdown')
    assert.match(pprofRaw(last.file('wall.pprof')), /wall\/nanoseconds/)
  })

  it('the output directory removed while the app runs: it comes back and later bundles are written', async () => {
    const out = path.join(tempDir(), 'gone')
    const run = start(process.execPath, [DD_RUN, '--upload-period', '1', 'node', APP, '5000', '3'], {
      env: cleanEnv({ DD_PROFILING_OUTPUT_DIR: out }),
    })
    await waitFor(() => fs.existsSync(out) && listBundles(out, true).length > 0, 20_000, 'the first bundle')
    fs.rmSync(out, { recursive: true, force: true })
    const r = await run.done
    assert.equal(r.code, 3, r.stderr)
    assert.equal(r.stdout, 'start\ndone\n')
    const bundles = listBundles(out)
    assert.ok(bundles.length >= 1, r.stderr)
    assert.equal(bundles.at(-1)!.tags.snapshot, 'on_shutdown')
    assertWhole(out)
  })

  it('a symlink planted where the service directory goes is not followed', async () => {
    const base = tempDir()
    const out = path.join(base, 'out')
    const victim = path.join(base, 'victim')
    fs.mkdirSync(out)
    fs.mkdirSync(victim)
    fs.symlinkSync(victim, path.join(out, 'planted'))
    const r = await ddRun(['-s', 'planted', 'node', APP, '300', '6'], { env: cleanEnv({ DD_PROFILING_OUTPUT_DIR: out }) })
    assert.equal(r.code, 6, r.stderr)
    assert.equal(r.stdout, 'start\ndone\n')
    assert.deepEqual(fs.readdirSync(victim), [])
    assert.equal(fileWarnings(r.stderr).length, 1, r.stderr)
    assert.match(r.stderr, /not a directory of ours/)
  })

  it('the size cap never removes anything behind a symlink', async () => {
    const base = tempDir()
    const out = path.join(base, 'out')
    const victim = path.join(base, 'victim')
    // Something shaped exactly like our layout, 2 MiB, behind a symlink in the output directory.
    const lookalike = path.join(victim, '1234-main-abcdef12', '0001-20260101T000000Z')
    fs.mkdirSync(lookalike, { recursive: true })
    fs.writeFileSync(path.join(lookalike, 'wall.pprof'), Buffer.alloc(2 * 1024 * 1024))
    fs.mkdirSync(out)
    fs.symlinkSync(victim, path.join(out, 'other'))
    const r = await ddRun(['-s', 'capped', 'node', APP, '300'], { env: cleanEnv({ DD_PROFILING_OUTPUT_DIR: out, DD_PROFILING_OUTPUT_MAX_MB: '1' }) })
    assert.equal(r.code, 0, r.stderr)
    assert.ok(fs.existsSync(path.join(lookalike, 'wall.pprof')))
    // Its own bundle was written (the cap never removes the one just written).
    assert.equal(fs.readdirSync(path.join(out, 'capped')).length, 1)
  })

  it('the launcher keeps the directory under the cap at the start of a run, for processes that only write at exit', async () => {
    const out = tempDir()
    // Three old bundles of 600 KiB from an earlier run of short-lived processes, over a 1 MiB cap.
    for (let i = 1; i <= 3; i++) {
      const old = path.join(out, 'capped', `10${i}-main-abcdef12`, `0001-2026010${i}T000000Z`)
      fs.mkdirSync(old, { recursive: true })
      fs.writeFileSync(path.join(old, 'wall.pprof'), Buffer.alloc(600 * 1024))
      const t = new Date(Date.UTC(2026, 0, i))
      fs.utimesSync(path.join(old, 'wall.pprof'), t, t)
    }
    const r = await ddRun(['-s', 'capped', 'node', APP, '300'], { env: cleanEnv({ DD_PROFILING_OUTPUT_DIR: out, DD_PROFILING_OUTPUT_MAX_MB: '1' }) })
    assert.equal(r.code, 0, r.stderr)
    const bundles = (proc: string) => fs.readdirSync(path.join(out, 'capped', proc)).filter((n) => /^\d{4}-/.test(n))
    // The two oldest went (1.8 MiB -> 600 KiB); the newest old one and this run's own bundle stay.
    assert.deepEqual(['101', '102', '103'].map((p) => bundles(`${p}-main-abcdef12`).length), [0, 0, 1])
    // (By name, not by a pid prefix: this run's own pid may start with 10 too.)
    const own = fs.readdirSync(path.join(out, 'capped')).filter((d) => !d.endsWith('-main-abcdef12'))
    assert.equal(own.length, 1, own.join(' '))
    assert.equal(bundles(own[0] as string).length, 1)

    // The walk is throttled: a run within a minute of it leaves an over-cap directory to a later launch.
    assert.ok(fs.lstatSync(path.join(out, '.dd-run-cap-checked')).isFile())
    const extra = path.join(out, 'capped', '104-main-abcdef12', '0001-20260104T000000Z')
    fs.mkdirSync(extra, { recursive: true })
    fs.writeFileSync(path.join(extra, 'wall.pprof'), Buffer.alloc(900 * 1024))
    const again = await ddRun(['-s', 'capped', 'node', APP, '100'], { env: cleanEnv({ DD_PROFILING_OUTPUT_DIR: out, DD_PROFILING_OUTPUT_MAX_MB: '1' }) })
    assert.equal(again.code, 0, again.stderr)
    assert.equal(bundles('104-main-abcdef12').length, 1)
  })

  it('a symlink at a bundle\'s own path: neither the exit-path write nor the periodic one goes through it', async () => {
    const base = tempDir()
    const out = path.join(base, 'out')
    const victim = path.join(base, 'victim')
    fs.mkdirSync(victim)
    const exporter = new FileExporter({ outputDir: out, outputMaxMb: 256 })
    for (const seq of [1, 2]) {
      const bundle = await realBundle({ service: 'sym', seq })
      const [service, proc, name] = bundlePath(bundle)
      fs.mkdirSync(path.join(out, service, proc), { recursive: true })
      fs.symlinkSync(victim, path.join(out, service, proc, name))
      if (seq === 1) assert.throws(() => exporter.exportSync(bundle))
      else await assert.rejects(exporter.export(bundle))
      // No temporary directory left behind either.
      assert.deepEqual(fs.readdirSync(path.join(out, service, proc)).filter((f) => f.startsWith('.tmp-')), [])
    }
    assert.deepEqual(fs.readdirSync(victim), [])
  })
})
