// What every builder needs: the spec, the endpoints, the options and the
// catalog entries of the selected releases.

import type { DeploySpec } from '../config/schema.js';
import { chatRelease, serverRelease, type ChatRelease, type ServerRelease } from '../catalog/openim-versions.js';
import type { ConfigOptions, OpenIMEndpoints } from './types.js';

export interface GenContext {
  spec: DeploySpec;
  endpoints: OpenIMEndpoints;
  options: ConfigOptions;
  server: ServerRelease;
  chat: ChatRelease;
}

export function makeContext(spec: DeploySpec, endpoints: OpenIMEndpoints, options: ConfigOptions): GenContext {
  return {
    spec,
    endpoints,
    options,
    server: serverRelease(spec.openim.serverVersion),
    chat: chatRelease(spec.openim.chatVersion),
  };
}
