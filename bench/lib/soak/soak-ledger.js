// What the soak's load did and was told, kept as plain data: the invariants are checked against
// it at the end (soak-invariants.js), so it records facts, never verdicts.

/** An empty ledger for one target. */
export function createLedger() {
  return {
    /** Every 201 registration: `{ id, username }`. */
    registered: [],
    /** The `sid` of every session a 200 login (password or second factor) opened. */
    sessions: [],
    /** Access tokens whose session was ended (logout, password reset): `{ access, exp, how }`. */
    loggedOut: [],
    /** Mail the server owes: `{ to, kind }`, one per reset of a known address. */
    mailsOwed: [],
    /** Journeys completed, by name. */
    journeys: {},
    /** Failures the journeys saw themselves (a missing mail, a link that would not parse). */
    problems: [],
  }
}

/** Counts one completed journey. */
export function countJourney(ledger, name) {
  ledger.journeys[name] = (ledger.journeys[name] ?? 0) + 1
}

/** Records that every access token of `sessions` is now owed a refusal. */
export function endSessions(ledger, sessions, how) {
  for (const session of sessions) {
    for (const access of session.accesses) ledger.loggedOut.push({ access, how })
  }
}

/** Keeps a problem the load noticed (bounded: the count is what fails the run). */
export function noteProblem(ledger, text) {
  ledger.problems.push(text)
}
