// The page's own Sentry: sentry-webview's renderer from npm, with tracing, the js_api
// tracing into Python, and the feedback widget.
import * as Sentry from "sentry-webview/renderer";

Sentry.init({
  tracesSampleRate: 1.0,
  integrations: [
    Sentry.browserTracingIntegration(),
    Sentry.jsApiTracingIntegration(),
    Sentry.feedbackIntegration({ autoInject: true, colorScheme: "light" }),
  ],
});

// The page's SDK, for the console (and the tests).
window.Sentry = Sentry;

document.getElementById("load").addEventListener("click", async () => {
  const result = await window.pywebview.api.load_report("q3");
  document.getElementById("result").textContent = result.rows + " rows";
  document.title = "loaded:" + result.rows;
});

document.getElementById("throw").addEventListener("click", () => {
  null.bundledPageFailed();
});
