/** `--encryption MODE` for every command that connects to peers (MSE/PE). */
import { ENCRYPTION_MODES, isEncryptionMode, type EncryptionMode } from '../engine/transport/mse/policy.js';
import { UserError } from '../errors.js';

export const encryptionFlags = {
  encryption: { type: 'string', default: 'prefer' },
} as const;

export const encryptionHelp = `    --encryption MODE      peer connections: prefer (encrypt when the peer can, the default),
                           require (MSE/PE only), plaintext (never encrypt)`;

export function encryptionFromFlag(value: string, command: string): EncryptionMode {
  if (isEncryptionMode(value)) return value;
  throw new UserError(`${command}: --encryption ${value}: choose one of ${ENCRYPTION_MODES.join(', ')}`, 2);
}
