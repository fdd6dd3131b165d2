// The host bridge: pywebview's js_api functions, or CEF's window bindings, one per channel.
// Up to CALLS calls in flight; a call carries one message, or a batch of the queued messages
// of one channel. A message finds the bridge free unless the page is in a burst, so a breadcrumb
// added just before the page calls its own js_api reaches the host first.
import { bridgeFunctionName, bridgePayloadKeys } from "../wire.js";

const CALLS = 4;

function toBase64(bytes) {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

// Text as it is, binary as {base64: "..."}: how bytes travel over the bridge and in scope messages.
export function bridgePayload(payload) {
  return typeof payload === "string" ? payload : { [bridgePayloadKeys.base64]: toBase64(payload) };
}

// `settled()` runs after each call, `failed(error)` when one fails.
export function createBridge(namespace, settled, failed) {
  let inFlight = 0;
  const free = () => inFlight < CALLS;

  function find(channel) {
    const name = bridgeFunctionName(namespace, channel);
    const pywebview = window.pywebview;
    // pywebview's Qt backend builds the api before its QWebChannel is up, and a call made then
    // fails (uncaught, in a timer) if the channel is still not up 100 ms later: wait for it.
    const channelUp = pywebview && (pywebview.platform !== "qtwebengine" || pywebview._QWebChannel);
    if (channelUp && pywebview.api && typeof pywebview.api[name] === "function") {
      return (payload) => pywebview.api[name](payload);
    }
    if (typeof window[name] === "function") return (payload) => window[name](payload); // CEF binding
    return null;
  }

  return {
    // A sink for `channel` ({batch, free, send(payloads)}), or null when there is no bridge.
    sink(channel) {
      const call = find(channel);
      return (
        call && {
          batch: true,
          free,
          send(payloads) {
            const messages = payloads.map(bridgePayload);
            inFlight += 1;
            new Promise((resolve) => resolve(call(messages.length === 1 ? messages[0] : { [bridgePayloadKeys.batch]: messages })))
              .then(undefined, failed)
              .then(() => {
                inFlight -= 1;
                settled();
              });
          },
        }
      );
    },
    // Why there is no bridge for `channel`, for a diagnostic.
    missing(channel) {
      const pywebview = window.pywebview;
      if (!pywebview) {
        return "window.pywebview is not defined: not a pywebview page, or the bridge was lost after navigation";
      }
      if (!pywebview.api) return "window.pywebview.api is not ready";
      if (pywebview.platform === "qtwebengine" && !pywebview._QWebChannel) return "pywebview's Qt channel is not up yet";
      return "pywebview.api has no " + bridgeFunctionName(namespace, channel);
    },
  };
}
