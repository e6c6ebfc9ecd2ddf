// dd-run's own subcommands. Each is loaded only when called, so running a program pays for none of them.

export type Subcommand = (args: string[]) => Promise<number>

export const SUBCOMMANDS: Record<string, () => Promise<Subcommand>> = {
  report: async () => notYet('report'),
  top: async () => notYet('top'),
  diff: async () => notYet('diff'),
  doctor: async () => notYet('doctor'),
}

function notYet(name: string): Subcommand {
  return async () => {
    process.stderr.write(`dd-run: '${name}' is reserved for a later version of dd-run; to run a program called ${name}, use: dd-run -- ${name}\n`)
    return 2
  }
}
