// Worker threads end in ways the `exit` event does not see: worker.terminate() (what vitest --pool=threads,
// tinypool and piscina do) stops a thread without it. The thread that owns the Worker asks it for its final profile
// first, so the work it did (often the whole test file) is kept; a thread that cannot answer is terminated anyway.
// Node's own module loader thread (module.register hooks, --import tsx) is not the app's: dormant, not "lost".
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { fixture } from '../helpers/paths'
import { pprofTop } from '../helpers/pprof'
import { assertIntakeShape, byProcess, listBundles, type OnDiskBundle } from '../helpers/profiles'
import { cleanEnv, ddRun, start, tempDir } from '../helpers/run'
import { dormantReason } from '../../src/profiling/guard'
import { isLoaderThread, type ProcessFacts } from '../../src/profiling/process-kind'

const WORKERS = fixture('reliability/worker-terminate.js')

/** What the app prints and how it exits without dd-run: the run under dd-run must be the same. */
async function bare(args: string[], cwd?: string): Promise<{ code: number | null; stdout: string }> {
  const r = await start(process.execPath, args, { env: cleanEnv(), ...(cwd ? { cwd } : {}) }).done
  return { code: r.code, stdout: r.stdout }
}

/** Every worker thread's bundles, by process directory. */
function threads(out: string): [string, OnDiskBundle[]][] {
  const bundles = listBundles(out)
  bundles.forEach(assertIntakeShape)
  return [...byProcess(bundles).entries()].filter(([dir]) => dir.includes('-worker_thread-'))
}

const wallFunctions = (b: OnDiskBundle): string[] => pprofTop(b.file('wall.pprof'), 'wall').map((x) => x.name)

describe('worker.terminate()', () => {
  it('a pool worker that ran a task and is terminated keeps its last period: the final bundle holds the task', async () => {
    const out = tempDir()
    const r = await ddRun(['-o', out, 'node', WORKERS, 'terminate'], { env: cleanEnv() })
    assert.deepEqual({ code: r.code, stdout: r.stdout }, await bare([WORKERS, 'terminate']), r.stderr)
    assert.equal(r.stdout, 'exit event 1\nterminated 1\n')
    const ts = threads(out)
    assert.equal(ts.length, 1, r.stderr)
    const [dir, bundles] = ts[0]!
    const last = bundles.at(-1)!
    assert.equal(last.tags.snapshot, 'on_shutdown', dir)
    assert.ok(wallFunctions(last).includes('burnInTerminatedWorker'), `${dir}: ${wallFunctions(last).slice(0, 8).join(', ')}`)
    assert.match(r.stderr, /\/\d+\s+worker_thread\s+worker thread \d+: profiled, 1 bundle/)
    assert.doesNotMatch(r.stderr, /still running or killed/)
  })

  it('nested: a worker that terminates its own worker, then is terminated: both final profiles are kept', async () => {
    const out = tempDir()
    const r = await ddRun(['-o', out, 'node', WORKERS, 'nested'], { env: cleanEnv() })
    assert.deepEqual({ code: r.code, stdout: r.stdout }, await bare([WORKERS, 'nested']), r.stderr)
    assert.equal(r.stdout, 'inner terminated 1\nexit event 1\nterminated 1\n')
    const ts = threads(out)
    assert.equal(ts.length, 2, r.stderr)
    for (const [dir, bundles] of ts) assert.equal(bundles.at(-1)!.tags.snapshot, 'on_shutdown', dir)
    const inner = ts.filter(([, bundles]) => wallFunctions(bundles.at(-1)!).includes('burnInTerminatedWorker'))
    assert.equal(inner.length, 1, ts.map(([dir, b]) => `${dir}: ${wallFunctions(b.at(-1)!).slice(0, 6)}`).join('\n'))
    // The inner worker's parent is the middle worker (its own runtime), in the same process.
    const middle = ts.find(([dir]) => dir !== inner[0]![0])![1].at(-1)!
    assert.equal(inner[0]![1].at(-1)!.tags.parent_runtime_id, middle.tags['runtime-id'])
    assert.doesNotMatch(r.stderr, /still running or killed/)
  })

  it('a worker stuck in an endless loop cannot answer: it is terminated anyway and the app ends as without dd-run', async () => {
    const out = tempDir()
    const r = await ddRun(['-o', out, 'node', WORKERS, 'busy'], { env: cleanEnv() })
    assert.deepEqual({ code: r.code, stdout: r.stdout }, await bare([WORKERS, 'busy']), r.stderr)
    assert.equal(r.stdout, 'exit event 1\nterminated 1\n')
    // Its period is lost (no JavaScript runs in a thread that never yields) and the summary says so.
    assert.deepEqual(threads(out), [])
    assert.match(r.stderr, /worker_thread\s+worker thread \d+: profiled, 0 bundles.*still running or killed/)
  })

  for (const [mode, fn, code] of [['exit', 'burnBeforeExit', 3], ['natural', 'burnThenReturn', 0]] as const) {
    it(`a worker that ends by ${mode === 'exit' ? 'process.exit(3)' : 'itself'} keeps its final profile, as before`, async () => {
      const out = tempDir()
      const r = await ddRun(['-o', out, 'node', WORKERS, mode], { env: cleanEnv() })
      assert.equal(r.code, 0, r.stderr)
      assert.equal(r.stdout, `exit event ${code}\n`)
      const ts = threads(out)
      assert.equal(ts.length, 1, r.stderr)
      const last = ts[0]![1].at(-1)!
      assert.equal(last.tags.snapshot, 'on_shutdown')
      assert.ok(wallFunctions(last).includes(fn), wallFunctions(last).slice(0, 8).join(', '))
    })
  }
})

describe('tinypool (npm), destroyed at the end', () => {
  const POOL = fixture('reliability/tinypool/pool.mjs')

  it('useAtomics off (idle workers wait in their event loop): every worker keeps its final profile with its tasks', async () => {
    const out = tempDir()
    const r = await ddRun(['-o', out, 'node', POOL], { env: cleanEnv() })
    assert.deepEqual({ code: r.code, stdout: r.stdout }, await bare([POOL]), r.stderr)
    assert.equal(r.stdout, 'tasks 4 threads 2\n')
    const ts = threads(out)
    assert.equal(ts.length, 2, r.stderr)
    for (const [dir, bundles] of ts) {
      const last = bundles.at(-1)!
      assert.equal(last.tags.snapshot, 'on_shutdown', dir)
      assert.ok(wallFunctions(last).includes('burnInPoolTask'), `${dir}: ${wallFunctions(last).slice(0, 8).join(', ')}`)
    }
    assert.doesNotMatch(r.stderr, /still running or killed/)
  })

  it("tinypool's default (idle workers blocked in Atomics.wait cannot answer): the app is unchanged, the loss is reported", async () => {
    const out = tempDir()
    const r = await ddRun(['-o', out, 'node', POOL, 'atomics'], { env: cleanEnv() })
    assert.deepEqual({ code: r.code, stdout: r.stdout }, await bare([POOL, 'atomics']), r.stderr)
    assert.equal(r.stdout, 'tasks 4 threads 2\n')
    // A known gap: a thread blocked in Atomics.wait runs no event loop, so it never sees the request.
    assert.deepEqual(threads(out), [])
    assert.match(r.stderr, /2 worker threads, 3 profiled/)
    assert.equal(r.stderr.match(/still running or killed \(its last period is lost\)/g)?.length, 2, r.stderr)
  })
})

describe("Node's module loader thread", () => {
  it('node --import ./register.mjs (module.register hooks): the loader thread is dormant, not listed as lost', async () => {
    const dir = fixture('reliability/loader-hooks')
    const out = tempDir()
    const args = ['--import', './register.mjs', 'app.mjs']
    const r = await ddRun(['-o', out, 'node', ...args], { env: cleanEnv(), cwd: dir })
    assert.deepEqual({ code: r.code, stdout: r.stdout }, await bare(args, dir), r.stderr)
    assert.equal(r.stdout, 'answer 42\n', 'the hooks ran in the loader thread')
    assert.match(r.stderr, /run summary: 1 Node process and 1 worker thread, 1 profiled, 1 bundle/)
    assert.match(r.stderr, /\/\d+\s+worker_thread\s+Node's module loader thread: dormant \(it runs module\.register\(\) hooks, not the app\)/)
    assert.doesNotMatch(r.stderr, /still running or killed/)
    const bundles = listBundles(out)
    assert.deepEqual(bundles.map((b) => b.tags.process_role), ['main'])
    assert.ok(wallFunctions(bundles[0]!).includes('appWorkBehindLoaderHooks'))
  })

  it('recognised by isInternalThread (Node 22.14+) or by the parentPort Node leaves null in it (Node 20)', () => {
    assert.equal(isLoaderThread({ isMainThread: false, parentPort: null }), true)
    assert.equal(isLoaderThread({ isMainThread: false, parentPort: {}, isInternalThread: true }), true)
    assert.equal(isLoaderThread({ isMainThread: false, parentPort: {} }), false, "an app's worker")
    assert.equal(isLoaderThread({ isMainThread: true, parentPort: null }), false, 'the main thread')
    const facts: ProcessFacts = { pid: 1, threadId: 1, isMainThread: false, argv: ['node'], execArgv: [], env: {}, loaderThread: true }
    assert.match(dormantReason(facts, { workerThreads: true }) ?? '', /module\.register\(\) hooks/)
    assert.equal(dormantReason({ ...facts, loaderThread: false }, { workerThreads: true }), undefined)
  })
})
