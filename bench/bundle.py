"""Bundle sizes: the shipped preload and renderer, minified and gzip -9, against bare @sentry/browser
built by esbuild with js/build.mjs's options (n/a without Node or js/node_modules)."""

import gzip
import json
import shutil
import subprocess
from typing import Any, Dict

from bench.common import REPO, emit

BARE = {
    "bare_browser_all": 'import * as S from "@sentry/browser"; window.S = S;',
    "bare_browser_errors": 'import { init, captureException } from "@sentry/browser"; '
    "window.S = { init, captureException };",
}

# Same options as js/build.mjs (`common` plus minify), from stdin, in memory.
BUILD = """
import { build } from "esbuild";
import { gzipSync } from "node:zlib";
const sizes = {};
for (const [name, contents] of Object.entries(%s)) {
  const result = await build({
    stdin: { contents, resolveDir: process.cwd() }, bundle: true, format: "iife", target: ["chrome66"],
    define: { __SENTRY_DEBUG__: "false" }, legalComments: "none", logLevel: "warning", minify: true, write: false,
  });
  const code = result.outputFiles[0].contents;
  sizes[name] = { minified: code.length, gzip: gzipSync(code, { level: 9 }).length };
}
console.log(JSON.stringify(sizes));
"""


def sizes(data: bytes) -> Dict[str, int]:
    return {"minified": len(data), "gzip": len(gzip.compress(data, 9, mtime=0))}


def bare() -> Dict[str, Any]:
    node = shutil.which("node")
    if node is None or not (REPO / "js" / "node_modules" / "esbuild").exists():
        return {name: None for name in BARE}
    script = BUILD % json.dumps(BARE)
    result = subprocess.run(
        [node, "--input-type=module", "-e", script], cwd=REPO / "js", capture_output=True, text=True, timeout=120
    )
    if result.returncode:
        return {name: None for name in BARE}
    return json.loads(result.stdout)


def main() -> None:
    static = REPO / "sentry_webview" / "static"
    emit(
        {
            "renderer": sizes((static / "renderer.js").read_bytes()),
            "renderer_tracing": sizes((static / "renderer-tracing.js").read_bytes()),
            "preload": sizes((static / "preload.js").read_bytes()),
            **bare(),
        }
    )


if __name__ == "__main__":
    main()
