// The auto-injected bundles init the renderer SDK themselves when the host said so.
import { init } from "./renderer.js";
import { configKeys as KEYS, globals } from "./wire.js";

export function autoInit(extraOptions) {
  const injected = window[globals.config];
  if (injected && injected[KEYS.autoInit]) {
    try {
      init(Object.assign({ ipcNamespace: injected[KEYS.namespace] }, extraOptions ? extraOptions(injected) : {}));
    } catch (error) {
      console.error("sentry-webview: automatic renderer init failed: " + error);
    }
  }
}
