// The auto-injected bundles init the renderer SDK themselves when the host said so.
import { init } from "./renderer.js";
import { wire } from "./wire.js";

export function autoInit(extraOptions) {
  const injected = window[wire.globals.config];
  if (injected && injected.autoInit) {
    try {
      init(Object.assign({ ipcNamespace: injected.ipcNamespace }, extraOptions ? extraOptions(injected) : {}));
    } catch (error) {
      console.error("sentry-webview: automatic renderer init failed: " + error);
    }
  }
}
