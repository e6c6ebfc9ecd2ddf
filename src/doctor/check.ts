// What each check of `dd-run doctor` says: ok, warning or failure, in one line, with a fix when it is not ok.

export type Status = 'ok' | 'warning' | 'failure'

export interface Check {
  name: string
  status: Status
  detail: string
  fix?: string
}
