import type { BrowserOptions, Integration } from "@sentry/browser";

export * from "@sentry/browser";

/** Options of sentry-webview's renderer init: @sentry/browser's, less what the host owns. */
export interface WebviewRendererOptions extends Omit<BrowserOptions, "dsn" | "transport" | "release" | "environment" | "dist"> {
  /** The host's `ipc_namespace` ([a-z0-9-]+); default: the injected config's, else "sentry-ipc". */
  ipcNamespace?: string;
}

/** Starts @sentry/browser with the IPC transport to the Python host and scope sync. */
export declare function init(options?: WebviewRendererOptions): void;

/** Carries the page's trace into each call to the app's own pywebview js_api functions. */
export declare function jsApiTracingIntegration(): Integration;
