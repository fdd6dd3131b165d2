// `sentry-webview/preload`: hookupIpc for pages that ship the preload themselves.
export { bridgeFunctionName, hookupIpc } from "./preload.js";
