// `sentry-webview/renderer`: @sentry/browser's API, with sentry-webview's init (the IPC
// transport to the host and scope sync) and the js_api tracing integration.
export * from "@sentry/browser";
export { init } from "./renderer.js";
export { jsApiTracingIntegration } from "./tracing.js";
