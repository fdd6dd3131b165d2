// The wire contract: src/wire.json is a copy of sentry_webview/ipc/wire.json, the file the Python
// host reads, made by build.mjs (`npm run check` fails when they differ), so the npm package
// carries it.
import WIRE from "./wire.json";

export const wire = WIRE;
const NAMESPACE_RE = new RegExp(WIRE.namespacePattern);

export function isValidNamespace(namespace) {
  return typeof namespace === "string" && NAMESPACE_RE.test(namespace);
}

// Mirrors sentry_webview/ipc/wire.py bridge_function_name.
export function bridgeFunctionName(namespace, channel) {
  return WIRE.bridgePrefix + "_" + namespace.replace(/-/g, "_") + "_" + channel;
}

// protocolUrl is "<base>/<namespace>"; mirrors wire.py protocol_path.
export function channelUrl(protocolUrl, channel) {
  return protocolUrl.replace(/\/+$/, "") + "/" + channel + "/" + WIRE.protocolKeySegment;
}
