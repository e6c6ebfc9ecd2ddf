// The exceptions profile: uncaught exceptions and unhandled rejections, by type and stack. Seen through
// 'uncaughtExceptionMonitor', which Node calls before its own handling and which changes nothing (unlike an
// 'uncaughtException' listener); on Node >= 15 it also fires for an unhandled rejection that Node is about to
// throw (origin 'unhandledRejection'). Errors the app catches are not seen.
import { framesOfStack, ProfileBuilder, syntheticFrame, type StackFrame } from './pprof-build'
import type { Profile } from './load-pprof'

export const EXCEPTION_SAMPLE_TYPES = [['exception-samples', 'count']] as const
const MAX_KEPT = 1000

interface Seen {
  type: string
  origin: string
  frames: StackFrame[]
}

export class ExceptionsRecorder {
  private seen: Seen[] = []
  private dropped = 0
  private readonly listener = (err: unknown, origin: string): void => {
    try {
      this.record(err, origin)
    } catch {
      // Never in the way of the app's own error handling.
    }
  }

  constructor(private readonly labels: Record<string, string>) {}

  start(): void {
    process.on('uncaughtExceptionMonitor', this.listener)
  }

  stop(): void {
    process.removeListener('uncaughtExceptionMonitor', this.listener)
  }

  take(start: Date, end: Date): Profile {
    const b = new ProfileBuilder(EXCEPTION_SAMPLE_TYPES)
    for (const s of this.seen) {
      const frames = s.frames.length > 0 ? s.frames : [syntheticFrame('(no stack)')]
      b.add(frames, [1], { ...this.labels, 'exception type': s.type, origin: s.origin })
    }
    if (this.dropped > 0) b.add([syntheticFrame('(more exceptions than kept)')], [this.dropped], { ...this.labels })
    this.seen = []
    this.dropped = 0
    return b.build(start, end)
  }

  private record(err: unknown, origin: string): void {
    if (this.seen.length >= MAX_KEPT) {
      this.dropped++
      return
    }
    const isError = err instanceof Error
    const type = isError ? err.constructor?.name || err.name || 'Error' : err === null ? 'null' : typeof err
    const stack = isError ? err.stack : undefined
    this.seen.push({ type, origin, frames: framesOfStack(stack) })
  }
}
