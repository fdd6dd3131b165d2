// The auto-injected renderer bundle (errors only): sentry_webview/static/renderer.js.
import { autoInit } from "./auto-init.js";

export * from "./renderer.js";
autoInit();
