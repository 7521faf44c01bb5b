import fc from 'fast-check'
import type { FastifyInstance } from 'fastify'
import { beforeAll, describe, expect, test } from 'vitest'
import { buildContractApp } from './contract-app.js'
import { postJson } from './contract-helpers.js'

// api-contract.md: broken JSON is a 400 `{"detail":"JSON parse error - ..."}`. V8's messages
// quote the input (`Unexpected token 'Z', ..."password":Zq7#Vx9!Kw}" is not valid JSON`), so a
// password could come back in the body; the message says where, never what.

let app: FastifyInstance

beforeAll(async () => {
  ;({ app } = await buildContractApp({ plugin: { throttleRates: { loginIp: null } } }))
})

const PASSWORD = 'Zq7#Vx9!Kw'

/** Every run of 3 characters of the password: none may appear in a response. */
const FRAGMENTS = Array.from({ length: PASSWORD.length - 2 }, (_, i) => PASSWORD.slice(i, i + 3))

function expectNoEcho(body: string): void {
  for (const fragment of FRAGMENTS) expect(body, fragment).not.toContain(fragment)
}

async function parseError(raw: string): Promise<string> {
  const response = await postJson(app, '/api/token/', raw)
  expect(response.statusCode, response.body).toBe(400)
  expectNoEcho(response.body)
  const body = response.json() as { detail: string }
  expect(Object.keys(body)).toEqual(['detail'])
  return body.detail
}

describe('a password in a broken body never comes back', () => {
  const login = `{"username":"peter","password":"${PASSWORD}"}`
  test.each([
    ['an unquoted value', `{"username":"peter","password":${PASSWORD}}`],
    ['a bare value', PASSWORD],
    ['truncated in the string', login.slice(0, -3)],
    ['truncated after the value', login.slice(0, -1)],
    ['a bad escape', login.replace('#', '\\#')],
    ['a bad \\u escape', login.replace('#', '\\u12G4')],
    ['trailing garbage', `${login}${PASSWORD}`],
    ['a byte order mark', `\ufeff${login}`],
    ['a huge number then garbage', `{"username":"peter","password":1e999999${PASSWORD}}`],
    ['a raw newline in the string', login.replace('#', '\n')],
    ['single quotes', login.replaceAll('"', "'")],
    ['a trailing comma', `${login.slice(0, -1)},}`],
    ['a missing colon', login.replace('"password":', `"password" ${PASSWORD}`)],
    ['NaN', `{"username":"peter","password":NaN${PASSWORD}}`],
  ])('%s', async (_name, raw) => {
    expect(await parseError(raw)).toMatch(/^JSON parse error - [^\n]+$/)
  })

  test('random damage to a login body', async () => {
    const login = JSON.stringify({ username: 'peter', password: PASSWORD })
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: login.length }),
        fc.nat({ max: 4 }),
        fc.string({ maxLength: 3 }),
        async (at, cut, insert) => {
          const raw = login.slice(0, at) + insert + login.slice(at + cut)
          if (raw.trim() === '' || isJson(raw)) return
          // Always a position: the scan agrees with JSON.parse that something is wrong.
          expect(await parseError(raw)).toMatch(/: line \d+ column \d+ \(char \d+\)$/)
        },
      ),
      { numRuns: 300 },
    )
  })
})

// The reference (DRF's JSONParser over Python's json module) answers these, word for word: the
// expected texts were taken from Python 3.11's json.loads.
describe("the position in DRF's words", () => {
  test.each([
    [`{"username":"peter","password":${PASSWORD}}`, 'Expecting value: line 1 column 32 (char 31)'],
    [
      `{"username":"peter","password":"${PASSWORD}`,
      'Unterminated string starting at: line 1 column 32 (char 31)',
    ],
    ['{"username":"peter","password":"Zq7\\#Vx"}', 'Invalid \\escape: line 1 column 36 (char 35)'],
    [
      '{"username":"peter","password":"Zq7\\u12G4Vx"}',
      'Invalid \\uXXXX escape: line 1 column 37 (char 36)',
    ],
    ['"\\u12', 'Invalid \\uXXXX escape: line 1 column 3 (char 2)'],
    ['"\\ud83d\\u12G4"', 'Invalid \\uXXXX escape: line 1 column 9 (char 8)'],
    ['"abc\\', 'Unterminated string starting at: line 1 column 1 (char 0)'],
    ['{"a":"x\ny"}', 'Invalid control character at: line 1 column 8 (char 7)'],
    ['{"a":"\t"}', 'Invalid control character at: line 1 column 7 (char 6)'],
    ['{"a":1}x', 'Extra data: line 1 column 8 (char 7)'],
    ['\ufeff{"a":1}', 'Unexpected UTF-8 BOM (decode using utf-8-sig): line 1 column 1 (char 0)'],
    ['{bad', 'Expecting property name enclosed in double quotes: line 1 column 2 (char 1)'],
    [
      '{"username": "peter",}',
      'Expecting property name enclosed in double quotes: line 1 column 22 (char 21)',
    ],
    ['{"a" 1}', "Expecting ':' delimiter: line 1 column 6 (char 5)"],
    ['{"a":tru}', 'Expecting value: line 1 column 6 (char 5)'],
    ['{"a":-}', 'Expecting value: line 1 column 6 (char 5)'],
    ['{"a":01}', "Expecting ',' delimiter: line 1 column 7 (char 6)"],
    ['{"a":1.}', "Expecting ',' delimiter: line 1 column 7 (char 6)"],
    ['{"a":[1 2]}', "Expecting ',' delimiter: line 1 column 9 (char 8)"],
    ['[1,', 'Expecting value: line 1 column 4 (char 3)'],
    ['[[[[[]]]]', "Expecting ',' delimiter: line 1 column 10 (char 9)"],
    ['nul', 'Expecting value: line 1 column 1 (char 0)'],
    ['{"a":"\\ud83d\\ude00x"x}', "Expecting ',' delimiter: line 1 column 21 (char 20)"],
    // Python counts code points; a JavaScript string counts the emoji twice.
    [
      '{"a":"😀", x}',
      'Expecting property name enclosed in double quotes: line 1 column 11 (char 10)',
    ],
    ['{"a":1,\r\n"b":x}', 'Expecting value: line 2 column 5 (char 13)'],
    [
      `{"username":"peter"\n,"password":${PASSWORD}}`,
      'Expecting value: line 2 column 13 (char 32)',
    ],
  ])('%j', async (raw, expected) => {
    expect(await parseError(raw)).toBe(`JSON parse error - ${expected}`)
  })

  test('a deep unclosed nesting is scanned without recursion', async () => {
    expect(await parseError('['.repeat(15_000))).toBe(
      'JSON parse error - Expecting value: line 1 column 15001 (char 15000)',
    )
    expect(await parseError(`${'{"a":['.repeat(2000)}1]}x`)).toBe(
      "JSON parse error - Expecting ',' delimiter: line 1 column 12004 (char 12003)",
    )
  })

  test('NaN and Infinity are refused as DRF refuses them, at their position', async () => {
    expect(await parseError('{"a":-Infinity}')).toBe(
      'JSON parse error - Out of range float values are not JSON compliant: line 1 column 6 (char 5)',
    )
  })
})

function isJson(text: string): boolean {
  try {
    JSON.parse(text)
    return true
  } catch {
    return false
  }
}
