import { it } from 'vitest'

/**
 * Registers the test that stands in for a suite whose service is not configured. Locally that
 * suite is optional and shows as a named skip; under CI (`CI` set, as `.ci/run` does) a missing
 * service is a failure, never a silent skip.
 */
export function serviceNotConfigured(title: string, variables: readonly string[]): void {
  const needs = variables.join(' and ')
  if (process.env.CI) {
    it(title, () => {
      throw new Error(`CI must set ${needs}: this suite needs the real service`)
    })
  } else {
    it.skip(`${title} (set ${needs} to run)`, () => {})
  }
}
