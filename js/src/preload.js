// The preload: window.__SENTRY_IPC__[namespace] = {sendStart, sendScope, sendEnvelope, sendStatus}.
// Each message goes over the host bridge (pywebview js_api / CEF binding) when there is one,
// waits for a bridge the host promised, or falls back to a POST to the loopback protocol
// (preload/routing.js, bridge.js, protocol.js). What can't go at once waits in one queue with one
// drop policy (preload/queue.js). Messages of one namespace leave in the order they were sent.
// Nothing here throws into page code or leaves a rejected promise behind.
import { createBridge } from "./preload/bridge.js";
import { createProtocol } from "./preload/protocol.js";
import { createQueue, LIMITS } from "./preload/queue.js";
import { createRouter } from "./preload/routing.js";
import {
  bridgeFunctionName,
  channels,
  configKeys as KEYS,
  defaultNamespace,
  droppedKey,
  globals,
  isValidNamespace,
} from "./wire.js";

const DROP_REPORT_MS = 1000;
const POLL_MS = 200;
const { start: START, scope: SCOPE, envelope: ENVELOPE, status: STATUS } = channels;

function uuid() {
  const bytes = new Uint8Array(16);
  if (window.crypto && window.crypto.getRandomValues) window.crypto.getRandomValues(bytes);
  else for (let i = 0; i < 16; i++) bytes[i] = Math.floor(Math.random() * 256);
  return Array.prototype.map.call(bytes, (b) => (b + 0x100).toString(16).slice(1)).join("");
}

function injectedConfig(namespace) {
  const config = window[globals.config];
  return config && config[KEYS.namespace] === namespace ? config : {};
}

export function hookupIpc(namespace = defaultNamespace, options = {}) {
  if (!isValidNamespace(namespace)) {
    throw new TypeError(
      "sentry-webview: invalid IPC namespace " + JSON.stringify(namespace) +
        ": it must match [a-z0-9-]+ and be the same in host, preload and renderer",
    );
  }
  const registry = (window[globals.ipc] = window[globals.ipc] || {});
  if (registry[namespace]) return registry[namespace];

  const config = Object.assign({}, injectedConfig(namespace), options || {});
  const rendererId =
    config[KEYS.rendererId] || window[globals.rendererId] || (window[globals.rendererId] = uuid());
  const warned = {};
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

  function failed(error) {
    warnOnce("failure", "error",
      "failed to reach the host at " + (config[KEYS.protocolUrl] || "the bridge") + " (" + error + "). Check that " +
        "sentry_webview.init() runs before webview.start(), that ipc_mode is PROTOCOL or BOTH for pages " +
        "without a bridge, that ipc_namespace matches in host, preload and renderer, and that the token is " +
        "the current process's.");
  }

  // Envelopes dropped here reach Sentry as client-report discards: the running total goes to the
  // host in a scope message a moment later (a total, so a report that is itself lost loses nothing;
  // the queue keeps the latest).
  let droppedEnvelopes = 0;
  let reportScheduled = false;

  function dropped(channel, overflow) {
    if (overflow) {
      warnOnce("overflow", "warn", "more than " + LIMITS.count + " messages or " + (LIMITS.bytes >> 20) +
        " MiB waiting for the host; dropping repeated errors and scope updates first");
    } else {
      warnOnce("repeats", "warn", "an error repeated " + LIMITS.repeats + " times; its repeats are counted, not sent");
    }
    if (channel !== ENVELOPE) return;
    droppedEnvelopes += 1;
    if (reportScheduled) return;
    reportScheduled = true;
    setTimeout(() => {
      reportScheduled = false;
      send(SCOPE, JSON.stringify({ [droppedKey]: droppedEnvelopes }), true);
    }, DROP_REPORT_MS);
  }

  const bridge = createBridge(namespace, pumpSafely, failed);
  const route = createRouter(config, bridge, createProtocol(config, rendererId, pumpSafely, failed), warnOnce);
  const queue = createQueue(dropped);

  // Hands queued messages to the way out while it has room; polls while there is none.
  function pump() {
    for (let head; (head = queue.head()); ) {
      const sink = route(head.channel);
      if (!sink) {
        if (poll === null) poll = setInterval(pumpSafely, POLL_MS);
        return;
      }
      if (poll !== null) {
        clearInterval(poll);
        poll = null;
      }
      if (!sink.free()) return; // it pumps again when a call settles
      sink.send(queue.take(sink.batch));
    }
  }

  function pumpSafely() {
    try {
      pump();
    } catch (error) {
      warnOnce("internal", "error", "could not send a message: " + error);
    }
  }

  function send(channel, payload, isReport) {
    try {
      if (channel === STATUS) {
        // A heartbeat is worth nothing later: it goes now, past any queue, or not at all.
        const sink = route(channel);
        if (sink) sink.send([payload]);
        return;
      }
      queue.push(channel, payload, isReport);
      pump();
    } catch (error) {
      warnOnce("internal", "error", "could not send a message: " + error);
    }
  }

  window.addEventListener("pywebviewready", pumpSafely);
  const ipc = {
    sendStart: (payload) => send(START, payload),
    sendScope: (payload) => send(SCOPE, payload),
    sendEnvelope: (payload) => send(ENVELOPE, payload),
    sendStatus: (payload) => send(STATUS, payload),
    // An envelope the renderer SDK itself dropped (its Dedupe integration, say): counted like ours.
    countDropped: () => dropped(ENVELOPE, false),
  };
  if (config[KEYS.statusIntervalMs] > 0) {
    // The host's renderer ANR watch. Hidden pages' timers are throttled: they say so instead of beating.
    const status = (visible) => ipc.sendStatus(JSON.stringify({ visible }));
    const beat = () => status(document.visibilityState === "visible");
    setInterval(beat, config[KEYS.statusIntervalMs]);
    document.addEventListener("visibilitychange", beat);
    window.addEventListener("pagehide", () => status(false));
  }
  registry[namespace] = ipc;
  return ipc;
}

export { bridgeFunctionName };
