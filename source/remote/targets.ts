/** One daemon to connect to: where, and as whom. */
export interface RemoteTarget {
  /** The host's name in the TUI (its Host column, views and log lines); no '/'. */
  readonly name: string;
  /** The RPC URL without credentials. */
  readonly url: string;
  readonly username?: string;
  readonly password?: string;
}

/** A `hosts` entry of the settings file: a URL, or an object with a name and credentials. */
export type HostSetting = string | { url: string; name?: string; username?: string; password?: string };

export const DEFAULT_RPC_PATH = '/transmission/rpc';

/**
 * `http(s)://[user:pass@]host[:port][/path]` (the path defaults to /transmission/rpc; a bare
 * host[:port] means http). Returns a line saying what is wrong instead of throwing. Credentials
 * not in the URL come from the entry, then $BTUI_RPC_PASSWORD_<NAME> (the name upper-cased, other
 * characters as _), then $BTUI_RPC_USER / $BTUI_RPC_PASSWORD.
 */
export function parseTarget(entry: HostSetting, env: NodeJS.ProcessEnv = process.env): RemoteTarget | { error: string } {
  const text = (typeof entry === 'string' ? entry : entry.url).trim();
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`);
  } catch {
    return { error: `--connect ${text}: not a URL (http(s)://[user:pass@]host[:port][/path])` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { error: `--connect ${text}: only http:// and https:// are supported` };
  if (url.pathname === '' || url.pathname === '/') url.pathname = DEFAULT_RPC_PATH;
  const given = typeof entry === 'string' ? undefined : entry;
  const name = (given?.name ?? url.host).replace(/\//g, '_');
  const envName = name.toUpperCase().replace(/[^A-Z0-9]/g, '_');
  const username = decode(url.username) || given?.username || env[`BTUI_RPC_USER_${envName}`] || env.BTUI_RPC_USER || undefined;
  const password = decode(url.password) || given?.password || env[`BTUI_RPC_PASSWORD_${envName}`] || env.BTUI_RPC_PASSWORD || undefined;
  url.username = '';
  url.password = '';
  return { name, url: url.toString(), username, password };
}

function decode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

/** The targets of --connect and the settings' hosts, each name once (a repeated one gets #2, #3...). */
export function resolveTargets(entries: readonly HostSetting[], env: NodeJS.ProcessEnv = process.env): RemoteTarget[] | { error: string } {
  const out: RemoteTarget[] = [];
  const seen = new Map<string, number>();
  for (const entry of entries) {
    const target = parseTarget(entry, env);
    if ('error' in target) return target;
    const count = (seen.get(target.name) ?? 0) + 1;
    seen.set(target.name, count);
    out.push(count === 1 ? target : { ...target, name: `${target.name}#${count}` });
  }
  return out;
}
