// The preload: window.__SENTRY_IPC__[namespace] = {sendStart, sendScope, sendEnvelope, sendStatus}.
// Each message goes over the host bridge (pywebview js_api / CEF binding) when there is one,
// waits for a bridge the host promised, or falls back to a POST to the loopback protocol.
// Messages of one namespace reach the host in the order they were sent. Nothing here
// throws into page code or leaves a rejected promise behind.
import { bridgeFunctionName, channelUrl, isValidNamespace, wire } from "./wire.js";

const QUEUE_LIMIT = 100; // messages waiting for a bridge or protocol to appear
const BACKLOG_LIMIT = 2000; // messages waiting behind a busy bridge
const BRIDGE_CALLS = 4; // bridge calls in flight at once
const DROP_REPORT_MS = 1000;
const POLL_MS = 200;
const KEEPALIVE_LIMIT = 60000;

function uuid() {
  const bytes = new Uint8Array(16);
  if (window.crypto && window.crypto.getRandomValues) window.crypto.getRandomValues(bytes);
  else for (let i = 0; i < 16; i++) bytes[i] = Math.floor(Math.random() * 256);
  return Array.prototype.map.call(bytes, (b) => (b + 0x100).toString(16).slice(1)).join("");
}

function toBase64(bytes) {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

function injectedConfig(namespace) {
  const config = window[wire.globals.config];
  return config && config.ipcNamespace === namespace ? config : {};
}

export function hookupIpc(namespace = wire.defaultNamespace, options = {}) {
  if (!isValidNamespace(namespace)) {
    throw new TypeError(
      "sentry-webview: invalid IPC namespace " + JSON.stringify(namespace) +
        ": it must match [a-z0-9-]+ and be the same in host, preload and renderer",
    );
  }
  const registry = (window[wire.globals.ipc] = window[wire.globals.ipc] || {});
  if (registry[namespace]) return registry[namespace];

  const config = Object.assign({}, injectedConfig(namespace), options || {});
  const mode = config.ipcMode || wire.modes.both;
  const rendererId =
    config.rendererId || window[wire.globals.rendererId] || (window[wire.globals.rendererId] = uuid());
  const bridgeTimeoutMs = config.bridgeTimeoutMs == null ? 5000 : config.bridgeTimeoutMs;
  const startedAt = Date.now();
  const nativeFetch = window.fetch && window.fetch.bind(window);
  const queue = [];
  const warned = {};
  let chain = Promise.resolve();
  let poll = null;

  function warnOnce(key, level, message) {
    if (warned[key]) return;
    warned[key] = true;
    try {
      console[level]("sentry-webview [" + namespace + "]: " + message);
    } catch (e) {
      // a console that throws is not our problem to report
    }
  }

  function bridgeFunction(channel) {
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

  function missingBridge(channel) {
    if (mode === wire.modes.protocol) return "the host configured ipcMode=protocol";
    if (!window.pywebview) {
      return "window.pywebview is not defined: not a pywebview page, or the bridge was lost after navigation";
    }
    if (!window.pywebview.api) return "window.pywebview.api is not ready";
    if (window.pywebview.platform === "qtwebengine" && !window.pywebview._QWebChannel) {
      return "pywebview's Qt channel is not up yet";
    }
    return "pywebview.api has no " + bridgeFunctionName(namespace, channel);
  }

  function waitingForBridge() {
    if (mode === wire.modes.classic || !config.protocolUrl) return true;
    return config.bridge === true && Date.now() - startedAt < bridgeTimeoutMs;
  }

  // keepalive lets a message sent during unload arrive. Chromium < 81 (CEF 66) refuses a keepalive
  // request that needs a CORS preflight ("Preflight request for request with keepalive specified is
  // currently not supported"): after one such failure, send without it.
  let keepalive = true;

  function post(channel, payload) {
    const url = channelUrl(config.protocolUrl, channel);
    const headers = Object.assign({}, config.headers || {});
    headers[wire.headers.renderer] = rendererId;
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

  // Envelopes dropped here reach Sentry as client-report discards: the running total goes to the
  // host in a scope message a moment later (a total, so a report that is itself dropped loses nothing).
  let droppedEnvelopes = 0;
  let reportScheduled = false;

  function dropped(channel) {
    if (channel !== ENVELOPE) return;
    droppedEnvelopes += 1;
    if (reportScheduled) return;
    reportScheduled = true;
    setTimeout(() => {
      reportScheduled = false;
      send(SCOPE, JSON.stringify({ [wire.droppedKey]: droppedEnvelopes }));
    }, DROP_REPORT_MS);
  }

  function failed(error) {
    warnOnce("failure", "error",
      "failed to reach the host at " + (config.protocolUrl || "the bridge") + " (" + error + "). Check that " +
        "sentry_webview.init() runs before webview.start(), that ipc_mode is PROTOCOL or BOTH for pages " +
        "without a bridge, that ipc_namespace matches in host, preload and renderer, and that the token is " +
        "the current process's.");
  }

  // Bridge messages: up to BRIDGE_CALLS calls in flight; what comes meanwhile waits in `outbox`
  // and goes in one call per run of a channel. A message finds the bridge free unless the page is
  // in a burst, so a breadcrumb added just before the page calls its own js_api reaches the host
  // first.
  const outbox = [];
  let inFlight = 0;

  function pumpBridge() {
    while (outbox.length && inFlight < BRIDGE_CALLS) {
      const [channel, call] = outbox[0];
      let run = 1;
      while (run < outbox.length && outbox[run][0] === channel) run++;
      const payloads = outbox.splice(0, run).map((message) => message[2]);
      const payload = payloads.length === 1 ? payloads[0] : { [wire.bridgePayloadKeys.batch]: payloads };
      inFlight += 1;
      new Promise((resolve) => resolve(call(payload)))
        .then(undefined, failed)
        .then(() => {
          inFlight -= 1;
          pumpBridge();
        });
    }
  }

  function bridgePayload(payload) {
    return typeof payload === "string" ? payload : { [wire.bridgePayloadKeys.base64]: toBase64(payload) };
  }

  // How to deliver a message on `channel` right now, or null to keep it queued. POSTs go one
  // after another, in order.
  function route(channel) {
    if (mode !== wire.modes.protocol) {
      const call = bridgeFunction(channel);
      if (call) {
        return (payload) => {
          outbox.push([channel, call, bridgePayload(payload)]);
          if (outbox.length > BACKLOG_LIMIT) {
            dropped(outbox.shift()[0]);
            warnOnce("backlog", "warn", "more than " + BACKLOG_LIMIT + " messages waiting for the bridge; dropping the oldest");
          }
          pumpBridge();
        };
      }
      if (waitingForBridge()) return null;
    }
    if (config.protocolUrl && nativeFetch) {
      warnOnce("fallback", "warn", "no host bridge (" + missingBridge(channel) + "); falling back to the protocol at " +
        config.protocolUrl);
      return (payload) => {
        chain = chain.then(() => post(channel, payload)).then(undefined, failed);
      };
    }
    return null;
  }

  function deliverQueued() {
    while (queue.length) {
      const deliver = route(queue[0][0]);
      if (!deliver) break;
      deliver(queue.shift()[1]);
    }
    if (queue.length && mode !== wire.modes.protocol && Date.now() - startedAt >= bridgeTimeoutMs) {
      warnOnce("waiting", "warn", "still no host bridge after " + bridgeTimeoutMs + " ms; " + queue.length +
        " messages are waiting (" + missingBridge(queue[0][0]) + ")");
    }
    if (!queue.length && poll !== null) {
      clearInterval(poll);
      poll = null;
    }
  }

  function send(channel, payload) {
    try {
      deliverQueued();
      const deliver = queue.length ? null : route(channel);
      if (deliver) return deliver(payload);
      if (channel === STATUS) return; // a heartbeat is worth nothing later
      queue.push([channel, payload]);
      if (queue.length > QUEUE_LIMIT) {
        // The page's start message names the window: keep it, drop the oldest after it.
        dropped(queue.splice(queue[0][0] === START ? 1 : 0, 1)[0][0]);
        warnOnce("overflow", "warn", "more than " + QUEUE_LIMIT + " messages waiting for the host; dropping the oldest");
      }
      if (poll === null) poll = setInterval(deliverQueuedSafely, POLL_MS);
    } catch (error) {
      warnOnce("internal", "error", "could not send a message: " + error);
    }
  }

  function deliverQueuedSafely() {
    try {
      deliverQueued();
    } catch (error) {
      warnOnce("internal", "error", "could not send a message: " + error);
    }
  }

  window.addEventListener("pywebviewready", deliverQueuedSafely);
  const { start: START, scope: SCOPE, envelope: ENVELOPE, status: STATUS } = wire.channels;
  const ipc = {
    sendStart: (payload) => send(START, payload),
    sendScope: (payload) => send(SCOPE, payload),
    sendEnvelope: (payload) => send(ENVELOPE, payload),
    sendStatus: (payload) => send(STATUS, payload),
  };
  if (config.statusIntervalMs > 0) {
    // The host's renderer ANR watch. Hidden pages' timers are throttled: they say so instead of beating.
    const status = (visible) => ipc.sendStatus(JSON.stringify({ visible }));
    const beat = () => status(document.visibilityState === "visible");
    setInterval(beat, config.statusIntervalMs);
    document.addEventListener("visibilitychange", beat);
    window.addEventListener("pagehide", () => status(false));
  }
  registry[namespace] = ipc;
  return ipc;
}

export { bridgeFunctionName };
