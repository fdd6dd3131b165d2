// Bundles src/main.js into dist/app.js. preserveSymlinks: `file:../../js` is a symlink, and its
// peer @sentry/browser must resolve to this app's copy (one SDK in the page), not to js/'s own.
import { build } from "esbuild";

await build({
  entryPoints: ["src/main.js"],
  outfile: "dist/app.js",
  bundle: true,
  format: "iife",
  target: ["chrome100", "safari15"],
  preserveSymlinks: true,
  sourcemap: true,
  minify: true,
  logLevel: "warning",
});
console.log("dist/app.js built");
