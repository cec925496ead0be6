/** The QR code of a campaign page, as SVG (scales for print) and PNG (for messaging apps). */
import QRCode from 'qrcode';

/** Medium error correction: survives a crease or a smudge on a printed poster. */
const OPTIONS = {
  errorCorrectionLevel: 'M',
  margin: 4,
  color: { dark: '#000000', light: '#ffffff' },
} as const;

export async function qrSvg(url: string): Promise<string> {
  return QRCode.toString(url, { ...OPTIONS, type: 'svg' });
}

/** 600 px wide: sharp on a phone screen and in a print at 5 cm. */
export async function qrPng(url: string): Promise<Buffer> {
  return QRCode.toBuffer(url, { ...OPTIONS, type: 'png', width: 600 });
}
