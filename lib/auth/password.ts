// Passwords: argon2id (memory-hard) via @node-rs/argon2, OWASP's recommended parameters
// (19 MiB, 2 passes, 1 lane). Generated passwords come from the OS random source.
// Not server-only: the seed (bootstrap) and the CLI hash passwords too.
import { randomInt } from "node:crypto";
import { type Algorithm, hash, verify } from "@node-rs/argon2";

const OPTIONS = { algorithm: 2 as Algorithm /* Argon2id */, memoryCost: 19456, timeCost: 2, parallelism: 1 };

export async function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

// A fixed, valid hash of a random string, verified against when the email is unknown so an
// unknown email costs the same time as a wrong password (no user enumeration by timing).
let dummyHash: Promise<string> | undefined;
export async function burnPasswordCheck(password: string): Promise<void> {
  dummyHash ??= hashPassword(generatePassword());
  await verifyPassword(await dummyHash, password);
}

const ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";

/** A random password: 20 characters from 57 symbols (about 117 bits), no look-alike characters. */
export function generatePassword(length = 20): string {
  let out = "";
  for (let i = 0; i < length; i++) out += ALPHABET[randomInt(ALPHABET.length)];
  return out;
}

export const MIN_PASSWORD_LENGTH = 12;
