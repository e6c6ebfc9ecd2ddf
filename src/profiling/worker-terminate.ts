// worker.terminate() stops a thread without running its `exit` event (vitest --pool=threads, tinypool and piscina
// end their workers this way), so the session in that thread never took its final profile and the last period
// (often the only one: the whole test file) was lost. Here the thread that owns the Worker object asks the thread
// for its final profile first, waits for it within a bound, then terminates it as the app asked.
//
// The request travels on a BroadcastChannel named after the thread id: the app never sees it (it is neither a
// parentPort message nor a Worker event), and it needs nothing passed at the worker's creation. A thread answers
// from its event loop only, so one stuck in a busy loop cannot: after ANSWER_MS it is terminated anyway.
import type * as WorkerThreads from 'node:worker_threads'

/** How long a thread has to start answering: an idle thread answers in well under a millisecond. */
const ANSWER_MS = 400
/** Once it answered: how long it may take to write its final profile (encode and a local file write). */
const WRITE_MS = 3000

type Wt = typeof WorkerThreads

interface Message {
  kind: 'final-profile' | 'writing' | 'written'
}

const WRAPPED = Symbol.for('dd-run.terminate.wrapped')

function channelName(threadId: number): string {
  return `dd-run:final-profile:${threadId}`
}

/**
 * In a thread that may own Worker objects: Worker.prototype.terminate first asks the worker for its final profile.
 * It still returns the real terminate()'s Promise (chained after the request) with the same exit code.
 */
export function flushBeforeTerminate(wt: Wt): void {
  const proto = wt.Worker.prototype as unknown as Record<string | symbol, unknown>
  const real = proto.terminate as ((...args: unknown[]) => Promise<number>) | undefined
  if (typeof real !== 'function' || (real as unknown as Record<symbol, unknown>)[WRAPPED]) return
  // One request per worker, however often the app calls terminate().
  const asked = new WeakMap<object, Promise<void>>()
  const terminate = function terminate(this: WorkerThreads.Worker, ...args: unknown[]): Promise<number> {
    let request = asked.get(this)
    if (!request) {
      request = askFinalProfile(wt, this)
      asked.set(this, request)
    }
    return request.then(() => real.apply(this, args))
  }
  Object.defineProperty(terminate, WRAPPED, { value: true })
  Object.defineProperty(terminate, 'length', { value: real.length })
  Object.defineProperty(wt.Worker.prototype, 'terminate', { value: terminate, writable: true, configurable: true, enumerable: false })
}

/** Resolves once the worker wrote its final profile, or could not answer in time; never rejects. */
function askFinalProfile(wt: Wt, worker: WorkerThreads.Worker): Promise<void> {
  const id = worker.threadId
  // Already gone (-1), or not yet past its preload: no session to ask.
  if (!(id > 0) || !started(worker)) return Promise.resolve()
  return new Promise<void>((resolve) => {
    let channel: InstanceType<Wt['BroadcastChannel']>
    try {
      channel = new wt.BroadcastChannel(channelName(id))
    } catch {
      resolve()
      return
    }
    let timer = setTimeout(done, ANSWER_MS)
    function done(): void {
      clearTimeout(timer)
      try {
        channel.close()
      } catch {
        // Closing twice, or a channel already gone: nothing left to release.
      }
      resolve()
    }
    channel.onmessage = (event: unknown) => {
      const kind = ((event as { data?: Partial<Message> } | undefined)?.data ?? {}).kind
      if (kind === 'writing') {
        clearTimeout(timer)
        timer = setTimeout(done, WRITE_MS)
      } else if (kind === 'written') done()
    }
    try {
      channel.postMessage({ kind: 'final-profile' } satisfies Message)
    } catch {
      done()
    }
  })
}

/**
 * Whether the worker's thread has begun running (its event loop counts time once the preload is under way): a
 * worker terminated right after `new Worker()` has no session yet, and waiting for its answer would only delay
 * the app.
 */
function started(worker: WorkerThreads.Worker): boolean {
  try {
    const elu = worker.performance?.eventLoopUtilization()
    return !elu || elu.active > 0 || elu.idle > 0
  } catch {
    return true
  }
}

/**
 * In a worker thread: answer the owner's request by taking the final profile now, synchronously (the same path as
 * the exit event). `finish` may find nothing to do (the thread is dormant): the answer still goes back, so the
 * owner does not wait for nothing. Unref'd: it never keeps the thread alive.
 */
export function answerFinalProfileRequests(wt: Wt, finish: () => void): void {
  const channel = new wt.BroadcastChannel(channelName(wt.threadId))
  channel.unref()
  channel.onmessage = (event: unknown) => {
    if ((event as { data?: Partial<Message> } | undefined)?.data?.kind !== 'final-profile') return
    try {
      channel.postMessage({ kind: 'writing' } satisfies Message)
      finish()
    } catch {
      // The profile is lost, the termination goes on.
    }
    try {
      channel.postMessage({ kind: 'written' } satisfies Message)
      channel.close()
    } catch {
      // The owner's bound ends its wait.
    }
  }
}
