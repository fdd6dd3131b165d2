export interface WebviewIpc {
  sendStart(payload: string): void;
  sendScope(payload: string): void;
  sendEnvelope(payload: string): void;
  sendStatus(payload: string): void;
}

export interface HookupOptions {
  /** sentry_webview.renderer_config()["protocolUrl"]; needed when there is no bridge. */
  protocolUrl?: string;
  /** sentry_webview.renderer_config()["headers"]: the token every protocol request carries. */
  headers?: Record<string, string>;
  rendererId?: string;
  statusIntervalMs?: number;
  [key: string]: unknown;
}

/** Exposes window.__SENTRY_IPC__[namespace] for the renderer SDK; idempotent per namespace. */
export declare function hookupIpc(namespace?: string, options?: HookupOptions): WebviewIpc;

export declare function bridgeFunctionName(namespace: string, channel: string): string;
