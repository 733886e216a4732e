import { randomBytes, scrypt, timingSafeEqual } from "node:crypto";

// scrypt cost: 2^15 × 8 × 128 bytes = 32 MiB and ~50–100 ms per check, which with the login rate limit
// makes guessing slow; the admin UI caches a successful check so browsing stays fast.
const cost = { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

// The stored form: `$scrypt$ln=15,r=8,p=1$<salt>$<hash>` (base64, no padding); the password itself is never stored.
export async function hashAdminPassword(password: string, salt: Buffer = randomBytes(16)): Promise<string> {
  const hash = await derive(password, salt, cost.N, cost.r, cost.p);
  return `$scrypt$ln=${Math.log2(cost.N)},r=${cost.r},p=${cost.p}$${salt.toString("base64url")}$${hash.toString("base64url")}\n`;
}

// True when `password` matches the stored hash (constant-time comparison); false for any malformed hash.
export async function verifyAdminPassword(password: string, stored: string): Promise<boolean> {
  const match = /^\$scrypt\$ln=(\d+),r=(\d+),p=(\d+)\$([\w-]+)\$([\w-]+)$/.exec(stored.trim());
  if (!match) return false;
  const [, ln, r, p, salt, hash] = match as unknown as [string, string, string, string, string, string];
  if (Number(ln) > 20 || Number(r) > 16 || Number(p) > 4) return false;
  const expected = Buffer.from(hash, "base64url");
  const actual = await derive(password, Buffer.from(salt, "base64url"), 2 ** Number(ln), Number(r), Number(p), expected.length);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

function derive(password: string, salt: Buffer, N: number, r: number, p: number, length = 32): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize("NFC"), salt, length, { N, r, p, maxmem: cost.maxmem }, (error, key) => (error ? reject(error) : resolve(key)));
  });
}
