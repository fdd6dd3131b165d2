// Tracing across the bridge: each call a page makes to the app's own pywebview js_api goes
// through the host's traced-call function with the page's trace (sentry-trace + baggage), inside
// a span of the page's; the host runs the call in a transaction that continues that trace.
// Without the host's traced-call function (tracing off on the host) calls go as they are.
import { getTraceData, startSpan } from "@sentry/browser";
import { bridgePrefix, protocolKeySegment, tracing } from "./wire.js";

const CALL = tracing.jsApiCall;
const WRAPPED = "__sentryWebviewTraced";

function hostCall() {
  const api = window.pywebview && window.pywebview.api;
  return api && typeof api[CALL] === "function" ? api[CALL] : null;
}

function traced(name, original) {
  const wrapper = function () {
    const call = hostCall();
    if (!call) return original.apply(this, arguments);
    const args = Array.prototype.slice.call(arguments);
    return startSpan({ name, op: tracing.op, attributes: { "sentry.origin": "auto.function.sentry_webview" } }, () => {
      const trace = getTraceData();
      return call(name, args, { "sentry-trace": trace["sentry-trace"] || "", baggage: trace.baggage || "" });
    });
  };
  wrapper[WRAPPED] = true;
  return wrapper;
}

function wrapApi(api, prefix, depth) {
  for (const key of Object.keys(api)) {
    const value = api[key];
    if (typeof value === "function") {
      // Ours (the bridge, the traced call) are not the app's.
      if (value[WRAPPED] || key.indexOf(bridgePrefix + "_") === 0) continue;
      api[key] = traced(prefix + key, value);
    } else if (value && typeof value === "object" && depth < 8) {
      wrapApi(value, prefix + key + ".", depth + 1);
    }
  }
}

function hook() {
  try {
    const pywebview = window.pywebview;
    if (!pywebview || !pywebview.api) return;
    wrapApi(pywebview.api, "", 0);
    const create = pywebview._createApi;
    if (typeof create === "function" && !create[WRAPPED]) {
      // window.expose() after load adds functions through _createApi: wrap those too.
      const wrapped = function () {
        const result = create.apply(this, arguments);
        hook();
        return result;
      };
      wrapped[WRAPPED] = true;
      pywebview._createApi = wrapped;
    }
  } catch (error) {
    try {
      console.error("sentry-webview: could not trace js_api calls: " + error);
    } catch (e) {
      // nothing to do
    }
  }
}

export const jsApiTracingIntegration = () => ({
  name: "JsApiTracing",
  setupOnce() {
    hook();
    window.addEventListener("pywebviewready", hook);
  },
});

// Our own protocol requests are neither the page's spans nor worth a trace header.
export function isOwnRequest(url) {
  return typeof url === "string" && url.indexOf("/" + protocolKeySegment) !== -1;
}
