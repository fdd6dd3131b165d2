// The wire contract: src/wire.json is a copy of sentry_webview/ipc/wire.json, the file the Python
// host reads, made by build.mjs (`npm run check` fails when they differ), so the npm package
// carries it. Named imports, so that a bundle carries only the parts it uses.
import { bridgePrefix, namespacePattern, protocolKeySegment } from "./wire.json";

export {
  bridgePayloadKeys,
  bridgePrefix,
  channels,
  config as configKeys,
  defaultNamespace,
  droppedKey,
  globals,
  headers,
  modes,
  protocolKeySegment,
  tracing,
} from "./wire.json";
const NAMESPACE_RE = new RegExp(namespacePattern);

export function isValidNamespace(namespace) {
  return typeof namespace === "string" && NAMESPACE_RE.test(namespace);
}

// Mirrors sentry_webview/ipc/wire.py bridge_function_name.
export function bridgeFunctionName(namespace, channel) {
  return bridgePrefix + "_" + namespace.replace(/-/g, "_") + "_" + channel;
}

// protocolUrl is "<base>/<namespace>"; mirrors wire.py protocol_path.
export function channelUrl(protocolUrl, channel) {
  return protocolUrl.replace(/\/+$/, "") + "/" + channel + "/" + protocolKeySegment;
}
