/** The Transmission-compatible RPC served over a session host: where it listens, who may use it. */
import { UserError } from '../errors.js';
import { checkRpcExposure, parseCredentials, type RpcCredentials } from '../rpc/auth.js';
import { createRpcServer, type RpcServer } from '../rpc/server.js';
import type { Settings } from '../settings.js';
import { ServiceRpcBackend } from './rpc-backend.js';
import type { SessionHost } from './session-host.js';

export interface RpcFlags {
  bind?: string;
  port?: number;
  /** USER:PASSWORD. */
  auth?: string;
}

export interface RpcConfig {
  bind: string;
  port: number;
  auth?: RpcCredentials;
}

/** Flags win over $BTUI_RPC_AUTH, which wins over the settings file. Refuses an exposed RPC without credentials. */
export function rpcConfig(settings: Settings, flags: RpcFlags, env: NodeJS.ProcessEnv = process.env): RpcConfig {
  const bind = flags.bind ?? settings.rpcBind;
  const port = flags.port ?? settings.rpcPort;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UserError(`--rpc-port: ${port} is not a port (0-65535)`, 2);
  const authText = flags.auth ?? env.BTUI_RPC_AUTH ?? settings.rpcAuth;
  let auth: RpcCredentials | undefined;
  if (authText) {
    auth = parseCredentials(authText);
    if (!auth) throw new UserError('--rpc-auth: expected USER:PASSWORD (both non-empty)', 2);
  }
  const exposure = checkRpcExposure(bind, auth);
  if (exposure) throw new UserError(exposure, 2);
  return { bind, port, auth };
}

export interface RunningRpc {
  readonly server: RpcServer;
  readonly port: number;
  readonly url: string;
}

export async function startRpc(
  host: SessionHost,
  config: RpcConfig,
  options: { version: string; stateDirectory: string; log: (line: string) => void; shutdown?: () => void },
): Promise<RunningRpc> {
  const backend = new ServiceRpcBackend(host.service, {
    version: options.version,
    configDir: options.stateDirectory,
    peerPort: () => host.session.port,
    settings: () => host.settings(),
    saveSettings: (patch) => void host.updateSettings(patch),
    shutdown: options.shutdown,
  });
  const server = createRpcServer({ backend, auth: config.auth, host: config.bind, port: config.port, log: options.log });
  const { port } = await server.listen();
  const shown = config.bind.includes(':') ? `[${config.bind}]` : config.bind;
  return { server, port, url: `http://${shown}:${port}/transmission/rpc` };
}
