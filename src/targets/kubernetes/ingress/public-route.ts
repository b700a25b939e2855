// The shape of one public route, apart from the list that builds them
// (routes.ts) so that the monitoring route can use it without a circle.

export interface Route {
  /** Object-name suffix: openim-<id>. */
  id: string;
  /** Empty: any host (no domain set). */
  host: string;
  /** `/` or a prefix without trailing slash. */
  path: string;
  service: string;
  /** Namespace of the Service: OpenIM's, or another (Ceph RGW lives in Rook's). */
  serviceNamespace: string;
  port: number;
  /** The back end serves at `/`: the prefix is removed before forwarding. */
  stripPrefix: boolean;
  /** WebSocket upgrade with long timeouts. */
  websocket: boolean;
  /** File uploads: no body size limit, no request buffering. */
  largeBody: boolean;
  /** Request headers to set (X-Request-Api for the API). */
  setHeaders: Record<string, string>;
}
