/** Why a token was rejected. Each maps to one simplejwt message in the error catalogue. */
export type TokenErrorCode =
  | 'token_malformed'
  | 'token_header_forbidden'
  | 'token_key_unknown'
  | 'token_algorithm_mismatch'
  | 'token_signature_invalid'
  | 'token_claim_invalid'
  | 'token_expired'
  | 'token_not_yet_valid'
  | 'token_no_exp'
  | 'token_no_type'
  | 'token_wrong_type'
  | 'token_no_id'
  | 'token_revoked'

/** Failures of a request that are not about the token itself. */
export type RequestErrorCode =
  | 'not_authenticated'
  | 'token_no_user_id'
  | 'bad_authorization_header'
  | 'authentication_failed'
  | 'mfa_required'
  | 'mfa_code_invalid'
  | 'mfa_enrollment_required'
  | 'passkey_invalid'
  | 'user_not_found'
  | 'user_inactive'
  | 'refresh_user_invalid'
  | 'permission_denied'
  | 'csrf_failed'
  | 'stale_token'
  | 'validation_failed'
  | 'malformed_request'
  | 'parse_error'
  | 'unsupported_media_type'
  | 'payload_too_large'
  | 'header_too_large'
  | 'request_timeout'
  | 'method_not_allowed'
  | 'not_found'
  | 'invalid_page'
  | 'throttled'
  | 'service_unavailable'
  | 'server_error'

/** Failures raised while configuring Tessera (start-up, never at request time). */
export type ConfigErrorCode = 'settings_invalid' | 'key_invalid'

/** Every error code Tessera can raise. */
export type ErrorCode = TokenErrorCode | RequestErrorCode | ConfigErrorCode
