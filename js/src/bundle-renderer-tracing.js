// The auto-injected renderer bundle when the host has tracing on (traces_sample_rate or
// traces_sampler): sentry_webview/static/renderer-tracing.js. Pageload and navigation
// transactions, and js_api calls that carry the trace into the host.
import { browserTracingIntegration } from "@sentry/browser";
import { autoInit } from "./auto-init.js";
import { isOwnRequest, jsApiTracingIntegration } from "./tracing.js";
import { configKeys as KEYS } from "./wire.js";

export * from "./renderer.js";
autoInit((config) => ({
  tracesSampleRate: config[KEYS.tracing] && typeof config[KEYS.tracing].tracesSampleRate === "number"
    ? config[KEYS.tracing].tracesSampleRate
    : 1,
  integrations: [
    browserTracingIntegration({ shouldCreateSpanForRequest: (url) => !isOwnRequest(url) }),
    jsApiTracingIntegration(),
  ],
}));
