// How OpenIM maps environment variables onto config keys (read in upstream
// code, pkg/common/cmd/constant.go + pkg/common/config/load_config.go in
// open-im-server 3.8, the same loop with CHATENV_ in chat):
//   prefix = upper(<PREFIX> + file name without .yml/.yaml, "-" → "_")
//   viper.SetEnvPrefix(prefix); SetEnvKeyReplacer(".", "_"); AutomaticEnv()
// so a key path a.b in openim-rpc-third.yml is IMENV_OPENIM_RPC_THIRD_A_B.
// viper only consults env for keys present in the file, so a key delivered
// by env must still be written (empty) in the YAML.

export type OpenIMProduct = 'server' | 'chat';

const PRODUCT_PREFIX: Record<OpenIMProduct, string> = { server: 'IMENV_', chat: 'CHATENV_' };

/** `IMENV_MINIO` for (server, minio.yml); `CHATENV_CHAT_RPC_ADMIN` for (chat, chat-rpc-admin.yml). */
export function envPrefix(product: OpenIMProduct, file: string): string {
  const base = file.replace(/\.yml$/, '').replace(/\.yaml$/, '');
  return (PRODUCT_PREFIX[product] + base).replaceAll('-', '_').toUpperCase();
}

/** Env variable overriding `keyPath` (e.g. ['openIM', 'secret']) of `file`. */
export function envVarName(product: OpenIMProduct, file: string, keyPath: readonly string[]): string {
  if (keyPath.length === 0) throw new Error('envVarName needs a key path');
  // viper upper-cases prefix + "_" + key and replaces "." only; keys never contain "-".
  return `${envPrefix(product, file)}_${keyPath.join('_')}`.toUpperCase();
}
