import {
  createHash,
  createPrivateKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  sign,
} from 'node:crypto'
import { type CborValue, encodeCbor } from './cbor.js'

/** The JSON `@simplewebauthn/browser` hands the server after `navigator.credentials.create()`. */
export interface RegistrationJson {
  id: string
  rawId: string
  type: 'public-key'
  response: {
    clientDataJSON: string
    attestationObject: string
    transports: string[]
  }
  clientExtensionResults: Record<string, never>
  authenticatorAttachment: 'platform'
}

/** The JSON after `navigator.credentials.get()`. */
export interface AssertionJson {
  id: string
  rawId: string
  type: 'public-key'
  response: {
    clientDataJSON: string
    authenticatorData: string
    signature: string
    userHandle?: string
  }
  clientExtensionResults: Record<string, never>
  authenticatorAttachment: 'platform'
}

/** What a ceremony is bent by, to record the attacks. */
export interface CeremonyOverrides {
  /** The origin the client data names. */
  readonly origin?: string
  /** The RP ID whose hash the authenticator data carries. */
  readonly rpId?: string
  /** The signature counter to report (assertions). */
  readonly counter?: number
  /** Whether the user was verified (UV flag). Default true. */
  readonly userVerified?: boolean
}

interface StoredCredential {
  readonly id: Buffer
  readonly privateKey: KeyObject
  readonly userHandle: string
  counter: number
}

const b64url = (bytes: Uint8Array | string) => Buffer.from(bytes).toString('base64url')
const sha256 = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest()

// Flags of the authenticator data (WebAuthn 6.1): user present, verified, backup eligible and
// state (a synced passkey), attested credential data included.
const UP = 0x01
const UV = 0x04
const BE = 0x08
const BS = 0x10
const AT = 0x40

/**
 * A CTAP2-like platform authenticator in software: P-256 keys (ES256), discoverable
 * credentials, a signature counter, attestation `none`. Builds exactly the bytes a browser
 * would pass on (authenticator data, client data JSON, attestation object, DER signatures),
 * for recording fixtures and driving the HTTP tests without a browser.
 */
export class SoftwareAuthenticator {
  readonly #credentials = new Map<string, StoredCredential>()
  readonly rpId: string
  readonly origin: string

  constructor(options: { rpId: string; origin: string }) {
    this.rpId = options.rpId
    this.origin = options.origin
  }

  /** Answers `PublicKeyCredentialCreationOptionsJSON` with a new credential. */
  register(
    options: { challenge: string; user: { id: string } },
    overrides: CeremonyOverrides = {},
  ): RegistrationJson {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    const id = randomBytes(16)
    const credential = { id, privateKey, userHandle: options.user.id, counter: 0 }
    this.#credentials.set(b64url(id), credential)
    const jwk = publicKey.export({ format: 'jwk' })
    const cose = encodeCbor(
      new Map<CborValue, CborValue>([
        [1, 2], // kty: EC2
        [3, -7], // alg: ES256
        [-1, 1], // crv: P-256
        [-2, Buffer.from(jwk.x as string, 'base64url')],
        [-3, Buffer.from(jwk.y as string, 'base64url')],
      ]),
    )
    const idLength = Buffer.from([id.length >> 8, id.length & 0xff])
    const attested = Buffer.concat([Buffer.alloc(16), idLength, id, cose])
    const authData = this.#authData(overrides, AT, 0, attested)
    const attestationObject = encodeCbor(
      new Map<CborValue, CborValue>([
        ['fmt', 'none'],
        ['attStmt', new Map()],
        ['authData', authData],
      ]),
    )
    return {
      id: b64url(id),
      rawId: b64url(id),
      type: 'public-key',
      response: {
        clientDataJSON: this.#clientData('webauthn.create', options.challenge, overrides),
        attestationObject: b64url(attestationObject),
        transports: ['internal'],
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    }
  }

  /**
   * Answers `PublicKeyCredentialRequestOptionsJSON` with `credentialId` (default: the first
   * allowed one this authenticator holds, or any it holds for a usernameless request).
   */
  assert(
    options: { challenge: string; allowCredentials?: { id: string }[] },
    credentialId?: string,
    overrides: CeremonyOverrides = {},
  ): AssertionJson {
    const allowed = options.allowCredentials?.map((c) => c.id) ?? []
    const id =
      credentialId ??
      (allowed.length > 0
        ? allowed.find((candidate) => this.#credentials.has(candidate))
        : [...this.#credentials.keys()][0])
    const credential = id === undefined ? undefined : this.#credentials.get(id)
    if (credential === undefined) throw new Error('no credential for this request')
    credential.counter = overrides.counter ?? credential.counter + 1
    const authData = this.#authData(overrides, 0, credential.counter)
    const clientDataJSON = this.#clientData('webauthn.get', options.challenge, overrides)
    const signed = Buffer.concat([authData, sha256(Buffer.from(clientDataJSON, 'base64url'))])
    return {
      id: b64url(credential.id),
      rawId: b64url(credential.id),
      type: 'public-key',
      response: {
        clientDataJSON,
        authenticatorData: b64url(authData),
        signature: b64url(sign('sha256', signed, credential.privateKey)),
        userHandle: credential.userHandle,
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    }
  }

  /** The credential's private key as PKCS#8 (to record and replay fixtures). */
  exportCredential(id: string): { id: string; userHandle: string; privateKey: string } {
    const credential = this.#credentials.get(id)
    if (credential === undefined) throw new Error('unknown credential')
    const der = credential.privateKey.export({ format: 'der', type: 'pkcs8' })
    return { id, userHandle: credential.userHandle, privateKey: b64url(der) }
  }

  /** Holds a recorded credential again (its counter from `counter`). */
  importCredential(exported: { id: string; userHandle: string; privateKey: string }, counter = 0) {
    const privateKey = createPrivateKey({
      key: Buffer.from(exported.privateKey, 'base64url'),
      format: 'der',
      type: 'pkcs8',
    })
    this.#credentials.set(exported.id, {
      id: Buffer.from(exported.id, 'base64url'),
      privateKey,
      userHandle: exported.userHandle,
      counter,
    })
  }

  #authData(overrides: CeremonyOverrides, extraFlags: number, counter: number, tail?: Buffer) {
    const flags = UP | (overrides.userVerified === false ? 0 : UV) | BE | BS | extraFlags
    const count = Buffer.alloc(4)
    count.writeUInt32BE(counter)
    return Buffer.concat([
      sha256(overrides.rpId ?? this.rpId),
      Buffer.from([flags]),
      count,
      ...(tail === undefined ? [] : [tail]),
    ])
  }

  #clientData(type: string, challenge: string, overrides: CeremonyOverrides): string {
    const origin = overrides.origin ?? this.origin
    return b64url(JSON.stringify({ type, challenge, origin, crossOrigin: false }))
  }
}
