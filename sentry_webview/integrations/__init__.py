"""Features, each a sentry-sdk integration around the renderer hub; ``sentry_webview.sdk`` lists the defaults."""
