import { TesseraError } from './tessera-error.js'

/** A setting has an invalid value. The message names the setting and the accepted form. */
export class SettingsError extends TesseraError {
  /** The setting's name, e.g. `ACCESS_TOKEN_LIFETIME`. */
  readonly setting: string

  constructor(setting: string, message: string) {
    super('settings_invalid', message)
    this.setting = setting
  }
}

/** A key cannot be used: wrong type for its algorithm, too weak, or unparsable. */
export class KeyError extends TesseraError {
  constructor(message: string, options?: ErrorOptions) {
    super('key_invalid', message, options)
  }
}
