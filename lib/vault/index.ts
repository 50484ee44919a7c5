/** Secrets at rest and in output: sealing (AES-256-GCM), the key's source, rotation, redaction. */
export { loadVaultSecret, SECRETS_FILE } from "./key-file";
export { createRedactor, MIN_REDACT_LENGTH, REDACTED, type Redactor, secretForms } from "./redact";
export {
  createVault,
  deriveVaultKey,
  MIN_SECRET_LENGTH,
  reseal,
  rotate,
  SEAL_FORMAT,
  type SealedRow,
  type Vault,
  VaultError,
  type VaultErrorReason,
  type VaultKey,
} from "./seal";
