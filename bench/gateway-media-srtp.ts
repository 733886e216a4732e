// SRTP (RFC 3711) with the AES_CM_128_HMAC_SHA1_80 suite, enough for the media benchmark's SDES leg:
// protect RTP packets for rtpengine to decrypt and check/decrypt a packet rtpengine encrypted.
import { createCipheriv, createHmac, timingSafeEqual } from "node:crypto";

/** The SDES crypto suite the benchmark negotiates (also the classic DTLS-SRTP profile). */
export const srtpSuite = "AES_CM_128_HMAC_SHA1_80";

const tagLength = 10;

/** Session keys derived from an SDES master key and salt. */
export interface SrtpKeys {
  encryption: Buffer;
  authentication: Buffer;
  salt: Buffer;
}

// Derives the session keys from the 30-byte `inline:` key material (16-byte master key + 14-byte salt), kdr 0.
export function deriveSrtpKeys(inlineKey: string): SrtpKeys {
  const material = Buffer.from(inlineKey, "base64");
  if (material.length !== 30) throw new Error(`SRTP inline key must hold 30 bytes, got ${material.length}`);
  const masterKey = material.subarray(0, 16);
  const masterSalt = material.subarray(16, 30);
  const prf = (label: number, length: number) => {
    const iv = Buffer.alloc(16);
    masterSalt.copy(iv);
    iv[7]! ^= label;
    return aesCtr(masterKey, iv, Buffer.alloc(length));
  };
  return { encryption: prf(0, 16), authentication: prf(1, 20), salt: prf(2, 14) };
}

// Encrypts and authenticates one RTP packet (12-byte header, no CSRC/extension) with roll-over counter `roc`.
export function protectRtp(keys: SrtpKeys, packet: Buffer, roc = 0): Buffer {
  const header = packet.subarray(0, 12);
  const encrypted = aesCtr(keys.encryption, packetIv(keys, packet, roc), packet.subarray(12));
  const body = Buffer.concat([header, encrypted]);
  return Buffer.concat([body, authTag(keys, body, roc)]);
}

// Checks the tag of an SRTP packet and returns the decrypted RTP packet, or undefined when the tag is wrong.
export function unprotectRtp(keys: SrtpKeys, packet: Buffer, roc = 0): Buffer | undefined {
  if (packet.length < 12 + tagLength) return undefined;
  const body = packet.subarray(0, packet.length - tagLength);
  if (!timingSafeEqual(authTag(keys, body, roc), packet.subarray(packet.length - tagLength))) return undefined;
  return Buffer.concat([body.subarray(0, 12), aesCtr(keys.encryption, packetIv(keys, body, roc), body.subarray(12))]);
}

function packetIv(keys: SrtpKeys, packet: Buffer, roc: number): Buffer {
  const iv = Buffer.alloc(16);
  keys.salt.copy(iv);
  for (let i = 0; i < 4; i++) iv[4 + i]! ^= packet[8 + i]!; // SSRC
  iv.writeUInt32BE((iv.readUInt32BE(8) ^ roc) >>> 0, 8);
  iv[12]! ^= packet[2]!; // sequence number
  iv[13]! ^= packet[3]!;
  return iv;
}

function authTag(keys: SrtpKeys, body: Buffer, roc: number): Buffer {
  const rocBytes = Buffer.alloc(4);
  rocBytes.writeUInt32BE(roc);
  return createHmac("sha1", keys.authentication).update(body).update(rocBytes).digest().subarray(0, tagLength);
}

function aesCtr(key: Buffer, iv: Buffer, data: Buffer): Buffer {
  const cipher = createCipheriv("aes-128-ctr", key, iv);
  return Buffer.concat([cipher.update(data), cipher.final()]);
}
