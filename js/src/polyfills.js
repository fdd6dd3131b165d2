// Runtime APIs newer than Chromium 66 (CEF 66) that @sentry/browser 11 uses, found by grepping
// the built bundle: globalThis (71), queueMicrotask (71), Object.fromEntries (73),
// Promise.allSettled (76). Defined only where absent; imported first so they exist before
// @sentry/core's module code runs.
if (typeof globalThis === "undefined") window.globalThis = window;
if (typeof queueMicrotask !== "function") {
  window.queueMicrotask = (callback) => Promise.resolve().then(callback);
}
if (typeof Object.fromEntries !== "function") {
  Object.fromEntries = (entries) => {
    const result = {};
    for (const [key, value] of entries) result[key] = value;
    return result;
  };
}
if (typeof Promise.allSettled !== "function") {
  Promise.allSettled = (promises) =>
    Promise.all(
      Array.from(promises, (promise) =>
        Promise.resolve(promise).then(
          (value) => ({ status: "fulfilled", value }),
          (reason) => ({ status: "rejected", reason }),
        ),
      ),
    );
}
