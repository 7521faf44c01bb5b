/**
 * The QR code of an `otpauth://` URI as an SVG document, drawn here (the `qrcode` package), so
 * the secret never reaches a third-party QR service. Loaded on first use: only enrolment needs it.
 */
export async function totpQrSvg(uri: string): Promise<string> {
  const { default: QRCode } = await import('qrcode')
  return QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 })
}
