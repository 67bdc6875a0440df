const ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";
const DECODER = new Map([...ALPHABET].map((char, i) => [char, i]));

/** Z85 (ZeroMQ RFC 32) to bytes: CURVE keys are written as 40 Z85 characters for 32 bytes. */
export function z85Decode(text: string): Uint8Array {
  if (text.length % 5 !== 0) throw new Error(`A Z85 string has a multiple of 5 characters; got ${text.length}.`);
  const out = new Uint8Array((text.length / 5) * 4);
  for (let i = 0, o = 0; i < text.length; i += 5, o += 4) {
    let value = 0;
    for (let k = 0; k < 5; k++) {
      const digit = DECODER.get(text[i + k] as string);
      if (digit === undefined) throw new Error(`Not a Z85 character: ${JSON.stringify(text[i + k])}.`);
      value = value * 85 + digit;
    }
    out[o] = (value >>> 24) & 255;
    out[o + 1] = (value >>> 16) & 255;
    out[o + 2] = (value >>> 8) & 255;
    out[o + 3] = value & 255;
  }
  return out;
}
