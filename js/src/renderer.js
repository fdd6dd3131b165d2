// The renderer SDK: @sentry/browser whose transport hands envelopes to the preload,
// plus ScopeToHost, which sends scope changes (and each breadcrumb once) to the host.
import "./polyfills.js";
import {
  addBreadcrumb,
  BrowserClient,
  captureEvent,
  captureException,
  captureMessage,
  defaultStackParser,
  flush,
  getCurrentScope,
  getGlobalScope,
  getIsolationScope,
  lastEventId,
  normalizeStringifyValue,
  setContext,
  setExtra,
  setExtras,
  setTag,
  setTags,
  setUser,
  withScope,
} from "@sentry/browser";
import {
  createTransport,
  defineIntegration,
  getClient,
  getIntegrationsToSetup,
  initAndBind,
  mergeScopeData,
  normalize,
  setNormalizeStringifier,
  stackParserFromStackParserOptions,
} from "@sentry/core";
import { defaultIntegrations } from "./defaults.js";
import { hookupIpc } from "./preload.js";
import { bridgePayload } from "./preload/bridge.js";
import { createBudget, eventKey } from "./preload/queue.js";
import { configKeys as KEYS, defaultNamespace, globals } from "./wire.js";

const DUMMY_DSN = "https://public@sentry-webview.invalid/0";
const HOST_OWNED = ["release", "environment", "dist"];
// Minifiers rename @sentry/browser's `sentryWrapped`, so core no longer strips our own frames.
const OWN_SRC = document.currentScript && document.currentScript.src;
const OWN_BUNDLE = /sentry-webview[/-]renderer(-tracing)?(\.min)?\.js$/;

function isOwnFrame(frame) {
  return !!frame.filename && (frame.filename === OWN_SRC || OWN_BUNDLE.test(frame.filename));
}

function ownOrigin() {
  return location.origin && location.origin !== "null" ? [location.origin, /^\/(?!\/)/] : [/^\/(?!\/)/];
}

function scopeMessage() {
  const data = getGlobalScope().getScopeData();
  mergeScopeData(data, getIsolationScope().getScopeData());
  mergeScopeData(data, getCurrentScope().getScopeData());
  const { user, tags, extra, contexts, level, fingerprint, breadcrumbs } = data;
  const message = normalize({ user, tags, extra, contexts, level, fingerprint, breadcrumbs }, 20, 2000);
  // Attachments move to the host, as in @sentry/electron: it adds them to every event from then on.
  message.attachments = data.attachments.map((a) => ({
    filename: a.filename,
    contentType: a.contentType,
    data: bridgePayload(a.data),
  }));
  return message;
}

const scopeToHostIntegration = defineIntegration((ipc) => {
  const spend = createBudget();
  return {
    name: "ScopeToHost",
    setup() {
      const scopes = [getGlobalScope(), getIsolationScope(), getCurrentScope()];
      let sending = false;
      let lastState = "";
      const onChange = () => {
        if (sending) return;
        sending = true;
        try {
          const message = scopeMessage();
          const state = JSON.stringify(Object.assign({}, message, { breadcrumbs: undefined, attachments: undefined }));
          if (state !== lastState || message.breadcrumbs.length || message.attachments.length) {
            lastState = state;
            ipc.sendScope(JSON.stringify(message));
            // The host owns sent breadcrumbs and attachments now: each travels once.
            scopes.forEach((scope) => scope.clearBreadcrumbs().clearAttachments());
          }
        } finally {
          sending = false;
        }
      };
      scopes.forEach((scope) => scope.addScopeListener(onChange));
    },
    processEvent(event) {
      for (const exception of (event.exception && event.exception.values) || []) {
        const frames = exception.stacktrace && exception.stacktrace.frames;
        if (!frames) continue;
        const pageFrames = frames.filter((frame) => !isOwnFrame(frame));
        // A synthetic exception (a thrown string) has only SDK frames: no stack beats a wrong one.
        if (pageFrames.length) exception.stacktrace.frames = pageFrames;
        else delete exception.stacktrace;
      }
      // The preload queue's budget, applied before the event is sent: a repeat past it costs no
      // envelope, no `sentry.event` breadcrumb and no scope message (an error loop stays cheap).
      const key = event.type === undefined ? eventKey(event) : null;
      return key === null || spend(key) ? event : null; // null: recorded as dropped, the host reports it
    },
  };
});

// A key for a repeat of `error` as thrown (name, message, where), or null: an error thrown again at
// the same place has the same stack. Finer than the event's key, so it never costs a first occurrence
// (null past THROWN_KEY_CHARS: the event's own budget still applies).
const THROWN_KEY_CHARS = 4000;
function thrownKey(error) {
  if (!(error instanceof Error) || typeof error.stack !== "string") return null;
  const message = String(error.message);
  const at = error.stack.indexOf(message); // V8's stack starts with "Name: message"; WebKit's doesn't
  const frames = at >= 0 ? error.stack.slice(at + message.length) : error.stack;
  const key = [error.name, message, frames].join("\n");
  return key.length <= THROWN_KEY_CHARS ? key : null;
}

// In an error loop, @sentry/browser building each event was most of what the loop cost the page:
// past its budget, a repeat thrown at the same place is dropped before it is built.
function dropRepeatsEarly(client) {
  const spend = createBudget();
  const capture = client.captureException.bind(client);
  client.captureException = (exception, hint, scope) => {
    const key = thrownKey(exception);
    if (key === null || spend(key)) return capture(exception, hint, scope);
    client.recordDroppedEvent("event_processor", "error");
    return (hint && hint.event_id) || "";
  };
}

// The preload's queue bounds what waits (and reports what it drops), and a send settles at once, so
// @sentry/browser's 64-request buffer must not refuse: it would drop the errors of a synchronous burst
// of captures (a loop that throws per item) uncounted, since the renderer sends no client reports.
function hostTransport(ipc) {
  return (options) =>
    createTransport(Object.assign({}, options, { bufferSize: Infinity }), (request) => {
      ipc.sendEnvelope(request.body);
      return Promise.resolve({ statusCode: 200 }); // the host does rate limiting
    });
}

export function init(options = {}) {
  if (window[globals.rendererInit]) {
    console.warn("sentry-webview: the renderer SDK is already initialized in this page; ignoring init()");
    return;
  }
  window[globals.rendererInit] = true;
  const injected = window[globals.config];
  const namespace = options.ipcNamespace || (injected && injected[KEYS.namespace]) || defaultNamespace;
  const ipc = hookupIpc(namespace); // returns the page's own hookup when the preload already ran
  const browserOptions = Object.assign({}, options);
  delete browserOptions.ipcNamespace;
  for (const key of HOST_OWNED) {
    if (browserOptions[key] !== undefined) {
      console.warn("sentry-webview: the host sets " + key + "; the renderer's value is ignored");
    }
    delete browserOptions[key];
  }
  const userIntegrations = options.integrations;
  const defaults = browserOptions.defaultIntegrations;
  // @sentry/browser's init, less what can't apply here: its fetch transport (the host sends),
  // BrowserSession (the host owns the one session per run), the browser-extension check and the
  // managed tunnel. Leaving init out keeps them out of the bundle.
  setNormalizeStringifier(normalizeStringifyValue);
  const client = initAndBind(
    BrowserClient,
    // Trace headers go to the app's own origin (its Flask app) by default, not to third parties.
    // Transactions, not streamed spans: the host merges them like errors.
    Object.assign({ dsn: DUMMY_DSN, tracePropagationTargets: ownOrigin(), traceLifecycle: "static" }, browserOptions, {
      stackParser: stackParserFromStackParserOptions(browserOptions.stackParser || defaultStackParser),
      transport: hostTransport(ipc),
      sendClientReports: false,
      integrations: getIntegrationsToSetup({
        defaultIntegrations: defaults == null ? defaultIntegrations() : defaults,
        integrations: (all) => {
          const ours = all.filter((integration) => integration.name !== "BrowserSession");
          ours.push(scopeToHostIntegration(ipc));
          if (typeof userIntegrations === "function") return userIntegrations(ours);
          return ours.concat(userIntegrations || []);
        },
      }),
    }),
  );
  // The trace's DSC names the host's release, environment and DSN key (the page has neither):
  // what the page propagates over fetch and js_api calls is what the host's transactions carry.
  // Feedback and replay events, which the host forwards as they are, get its release and environment.
  const host = injected && injected[KEYS.namespace] === namespace && injected[KEYS.host];
  if (host && client && typeof client.on === "function") {
    client.on("createDsc", (dsc) => Object.assign(dsc, host));
    client.addEventProcessor((event) => {
      if (event.type === "feedback" || event.type === "replay_event") {
        if (host.release) event.release = host.release;
        if (host.environment) event.environment = host.environment;
      }
      return event;
    });
  }
  // The renderer sends no client reports: an error it drops (Dedupe drops a repeat of the previous
  // error) is counted with the preload's drops, so that every captured error is delivered or reported.
  if (client && typeof ipc.countDropped === "function") {
    const record = client.recordDroppedEvent.bind(client);
    client.recordDroppedEvent = (reason, category, count) => {
      if (category === "error") for (let i = 0; i < (count || 1); i++) ipc.countDropped();
      return record(reason, category, count);
    };
  }
  if (client) dropRepeatsEarly(client);
  ipc.sendStart(
    JSON.stringify({
      url: location.href,
      title: document.title,
      userAgent: navigator.userAgent,
      timestamp: ((window.performance && performance.timeOrigin) || Date.now()) / 1000, // navigation start
      // The desktop's screen, which only a page can see (the host's device context).
      screen: window.screen && [screen.width, screen.height, window.devicePixelRatio || 1],
    }),
  );
}

export {
  addBreadcrumb,
  captureEvent,
  captureException,
  captureMessage,
  flush,
  getCurrentScope,
  getGlobalScope,
  getIsolationScope,
  lastEventId,
  setContext,
  setExtra,
  setExtras,
  setTag,
  setTags,
  setUser,
  withScope,
};
