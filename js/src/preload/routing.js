// Routing: which way a message goes now. The bridge when there is one (unless the host chose the
// protocol); while the host promised a bridge (or in classic mode), nothing: the message waits;
// else the protocol. Falling back to the protocol is worth one warning unless it is what the host
// configured.
import { configKeys as KEYS, modes } from "../wire.js";

const { classic: CLASSIC, protocol: PROTOCOL, both: BOTH } = modes;

// `route(channel)` -> a sink ({batch, free, send(payloads)}) or null to wait.
export function createRouter(config, bridge, protocol, warnOnce) {
  const mode = config[KEYS.mode] || BOTH;
  const timeoutMs = config.bridgeTimeoutMs == null ? 5000 : config.bridgeTimeoutMs;
  const startedAt = Date.now();

  function waitingForBridge() {
    if (mode === CLASSIC || !protocol) return true;
    return config[KEYS.bridge] === true && Date.now() - startedAt < timeoutMs;
  }

  return function route(channel) {
    if (mode !== PROTOCOL) {
      const sink = bridge.sink(channel);
      if (sink) return sink;
      if (waitingForBridge()) {
        if (Date.now() - startedAt >= timeoutMs) {
          warnOnce("waiting", "warn", "still no host bridge after " + timeoutMs + " ms; messages are waiting (" +
            bridge.missing(channel) + ")");
        }
        return null;
      }
      warnOnce("fallback", "warn", "no host bridge (" + bridge.missing(channel) + "); falling back to the protocol at " +
        config[KEYS.protocolUrl]);
    }
    return protocol && protocol.sink(channel);
  };
}
