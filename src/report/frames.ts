// The frame table: every frame of the profiles read, interned once (same function name, file, line and, for an
// anonymous function, column), so stacks, trees and tables refer to frames by number.
import { PROFILER_FRAME, readableName, type ProfilerFrames } from './frame-names'

export interface Frame {
  name: string
  /** Source file as the runtime named it (or the original source after source mapping); '' when none. */
  file: string
  /** 1-based line the function starts on; 0 when unknown. */
  line: number
  /** 1-based column, for an anonymous function (its name does not tell it from others on the line); else absent. */
  column?: number
}

/**
 * How stacks treat the profiler's frames: the user's choice, or 'nest' (the report page): the profiler's frames are
 * kept under one PROFILER_FRAME node, so the page can fold them into it or unfold them with a switch.
 */
export type ProfilerFrameMode = ProfilerFrames | 'nest'

export interface FrameOptions {
  /** The profiler's own frames: one line (default), hidden (their samples dropped), as they are, or nested. */
  profilerFrames?: ProfilerFrameMode
  /** Module names are shown relative to it. */
  cwd?: string
}

/** Interns frames so trees and tables refer to them by number; names are made readable here (frame-names.ts). */
export class FrameTable {
  readonly frames: Frame[] = []
  private readonly ids = new Map<string, number>()
  readonly profilerFrames: ProfilerFrameMode
  private readonly cwd: string
  private profilerId = -1

  constructor(o: FrameOptions = {}) {
    this.profilerFrames = o.profilerFrames ?? 'group'
    this.cwd = o.cwd ?? process.cwd()
  }

  intern(rawName: string, file: string, line: number, rawColumn = 0): number {
    const { name, column } = readableName(rawName, file, this.cwd)
    const col = column || (name === '(anonymous)' ? rawColumn : 0)
    const key = `${name}\0${file}\0${line}\0${col}`
    let id = this.ids.get(key)
    if (id === undefined) {
      id = this.frames.length
      this.frames.push(col > 0 ? { name, file, line, column: col } : { name, file, line })
      this.ids.set(key, id)
    }
    return id
  }

  /** The frame that stands for the profiler's own. */
  get profiler(): number {
    if (this.profilerId < 0) this.profilerId = this.intern(PROFILER_FRAME, '', 0)
    return this.profilerId
  }
}
