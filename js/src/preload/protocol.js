// The loopback protocol: one POST per message to <protocolUrl>/<channel>/sentry_key, one at a
// time so messages arrive in order.
import { channelUrl, configKeys as KEYS, headers as HEADERS } from "../wire.js";

const KEEPALIVE_LIMIT = 60000;

// Null when the page has no protocol URL or no fetch. `settled()` runs after each POST,
// `failed(error)` when one fails.
export function createProtocol(config, rendererId, settled, failed) {
  const nativeFetch = window.fetch && window.fetch.bind(window); // before the page or @sentry/browser wraps it
  if (!config[KEYS.protocolUrl] || !nativeFetch) return null;
  // keepalive lets a message sent during unload arrive. Chromium < 81 (CEF 66) refuses a keepalive
  // request that needs a CORS preflight ("Preflight request for request with keepalive specified is
  // currently not supported"): after one such failure, send without it.
  let keepalive = true;
  let inFlight = 0;

  function post(channel, payload) {
    const url = channelUrl(config[KEYS.protocolUrl], channel);
    const headers = Object.assign({}, config[KEYS.headers] || {});
    headers[HEADERS.renderer] = rendererId;
    headers["Content-Type"] = typeof payload === "string" ? "text/plain;charset=UTF-8" : "application/octet-stream";
    const size = typeof payload === "string" ? payload.length * 3 : payload.byteLength;
    const send = (withKeepalive) =>
      nativeFetch(url, {
        method: "POST",
        body: payload,
        headers,
        mode: "cors",
        credentials: "omit",
        keepalive: withKeepalive,
      });
    const first = keepalive && size < KEEPALIVE_LIMIT;
    return send(first)
      .then(undefined, (error) => {
        if (!first) throw error;
        keepalive = false;
        return send(false);
      })
      .then((response) => {
        if (!response.ok) throw new Error("HTTP " + response.status + " from " + url);
      });
  }

  const free = () => inFlight < 1;
  return {
    // A sink for `channel` ({batch, free, send(payloads)}): one message per POST.
    sink: (channel) => ({
      batch: false,
      free,
      send(payloads) {
        inFlight += 1;
        post(channel, payloads[0])
          .then(undefined, failed)
          .then(() => {
            inFlight -= 1;
            settled();
          });
      },
    }),
  };
}
