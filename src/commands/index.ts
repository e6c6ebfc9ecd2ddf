// dd-run's own subcommands. Each is loaded only when called, so running a program pays for none of them.

export type Subcommand = (args: string[]) => Promise<number>

export const SUBCOMMANDS: Record<string, () => Promise<Subcommand>> = {
  report: async () => (require('./report') as typeof import('./report')).report,
  top: async () => (require('./top') as typeof import('./top')).top,
  diff: async () => (require('./diff') as typeof import('./diff')).diff,
  doctor: async () => (require('./doctor') as typeof import('./doctor')).doctor,
  snapshot: async () => (require('./snapshot') as typeof import('./snapshot')).snapshot,
}
