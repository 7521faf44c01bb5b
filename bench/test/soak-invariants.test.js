import { describe, expect, it } from 'vitest'
import {
  checkEventLoop,
  checkExpectedStatuses,
  checkMail,
  checkMix,
  checkNoServerErrors,
  checkPersisted,
  checkProbes,
  checkRssGrowth,
  formatVerdicts,
} from '../lib/soak/soak-invariants.js'
import { canLogIn } from '../lib/soak/soak-journeys.js'
import { createLedger, endSessions } from '../lib/soak/soak-ledger.js'
import { seededRandom } from '../lib/soak/soak-load.js'

const MiB = 1024 * 1024

describe('soak invariants', () => {
  it('fails on any 5xx or dropped connection, and on no request at all', () => {
    expect(checkNoServerErrors({ counts: { hello: { 200: 5 } } }).pass).toBe(true)
    const failed = checkNoServerErrors({ counts: { hello: { 200: 5, 503: 1 }, login: { 0: 2 } } })
    expect(failed.pass).toBe(false)
    expect(failed.detail).toContain('hello 503 x1')
    expect(failed.detail).toContain('login 0 x2')
    expect(checkNoServerErrors({ counts: {} }).pass).toBe(false)
  })

  it('fails on an unexpected status, quoting samples', () => {
    expect(checkExpectedStatuses({ unexpected: 0, samples: [] }).pass).toBe(true)
    const failed = checkExpectedStatuses({ unexpected: 1, samples: ['hello: 401 {}'] })
    expect(failed.pass).toBe(false)
    expect(failed.detail).toContain('hello: 401')
  })

  it('fails when a journey kind never ran', () => {
    const ledger = createLedger()
    ledger.journeys = { register: 2 }
    expect(checkMix(ledger, ['register']).pass).toBe(true)
    expect(checkMix(ledger, ['register', 'password reset'])).toMatchObject({
      pass: false,
      detail: 'never: password reset',
    })
  })

  it('names what the database lost, and fails on nothing checked', () => {
    expect(checkPersisted('users', ['ann', 'bob'], [true, true]).pass).toBe(true)
    expect(checkPersisted('users', ['ann', 'bob'], [true, false])).toMatchObject({
      pass: false,
      detail: '1 lost: bob',
    })
    expect(checkPersisted('users', [], []).pass).toBe(false)
  })

  it('wants every probe at the status, on every instance', () => {
    const probes = [
      { instance: 'instance 1', status: 401, how: 'logout' },
      { instance: 'instance 2', status: 200, how: 'logout' },
    ]
    const failed = checkProbes('refused', probes, 401)
    expect(failed.pass).toBe(false)
    expect(failed.detail).toContain('logout on instance 2: 200')
    expect(checkProbes('refused', probes.slice(0, 1), 401).pass).toBe(true)
    expect(checkProbes('refused', [], 401).pass).toBe(false)
  })

  it('wants every owed mail received and an empty outbox', () => {
    const base = { owed: 3, received: 3, pending: 0, failed: 0, problems: [] }
    expect(checkMail(base).pass).toBe(true)
    expect(checkMail({ ...base, received: 2 }).pass).toBe(false)
    expect(checkMail({ ...base, pending: 1 }).pass).toBe(false)
    expect(checkMail({ ...base, failed: 1 }).pass).toBe(false)
    expect(checkMail({ ...base, problems: ['no reset mail'] }).pass).toBe(false)
    expect(checkMail({ ...base, owed: 0, received: 0 }).pass).toBe(false)
  })

  it('bounds RSS growth per process; a process gone by the end fails', () => {
    const ok = [{ process: 'a', warm: 100 * MiB, end: 150 * MiB }]
    expect(checkRssGrowth(ok, 64 * MiB).pass).toBe(true)
    expect(checkRssGrowth([{ process: 'a', warm: 100 * MiB, end: 165 * MiB }], 64 * MiB).pass).toBe(
      false,
    )
    expect(
      checkRssGrowth([{ process: 'a', warm: MiB, end: Number.POSITIVE_INFINITY }], 64 * MiB).pass,
    ).toBe(false)
    expect(checkRssGrowth([], 64 * MiB).pass).toBe(false)
  })

  it('wants every event-loop scrape under the bound; a failed scrape counts as over', () => {
    expect(checkEventLoop([0.011, 0.02, 0.049], 0.05).pass).toBe(true)
    expect(checkEventLoop([0.011, 0.05], 0.05).pass).toBe(false)
    expect(checkEventLoop([0.011, Number.POSITIVE_INFINITY], 0.05).pass).toBe(false)
    expect(checkEventLoop([], 0.05).pass).toBe(false)
  })

  it('passes a run only when every verdict passed', () => {
    const verdicts = [
      { name: 'a', pass: true, detail: 'x' },
      { name: 'b', pass: false, detail: 'y' },
    ]
    const { text, pass } = formatVerdicts('target', verdicts)
    expect(pass).toBe(false)
    expect(text).toBe('target\n  ok   a: x\n  FAIL b: y')
    expect(formatVerdicts('target', verdicts.slice(0, 1)).pass).toBe(true)
  })
})

describe('soak ledger and load model', () => {
  it('owes a refusal for every access token of an ended session', () => {
    const ledger = createLedger()
    endSessions(ledger, [{ accesses: ['a1', 'a2'] }, { accesses: ['b1'] }], 'password reset')
    expect(ledger.loggedOut.map((t) => t.access)).toEqual(['a1', 'a2', 'b1'])
  })

  it('holds a second-factor login back only past its free steps, not after a cut-off', () => {
    const at = Date.UTC(2026, 11, 7, 12, 0, 0, 400)
    const step = Math.floor(at / 30_000)
    expect(canLogIn({ mfa: undefined, cutOffAt: at }, at)).toBe(true)
    expect(canLogIn({ mfa: { lastStep: step - 1 }, cutOffAt: at }, at + 500)).toBe(true)
    // The current step and the next are used: none left until the clock moves on.
    expect(canLogIn({ mfa: { lastStep: step + 1 } }, at)).toBe(false)
  })

  it('replays a seed', () => {
    const a = seededRandom(7)
    const b = seededRandom(7)
    const first = [a(), a(), a()]
    expect([b(), b(), b()]).toEqual(first)
    expect(first.every((n) => n >= 0 && n < 1)).toBe(true)
  })
})
