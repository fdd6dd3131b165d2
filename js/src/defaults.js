// @sentry/browser's getDefaultIntegrations(), less BrowserSession (the host owns the one session
// per run). `npm run check` fails when @sentry/browser's list changes.
import {
  breadcrumbsIntegration,
  browserApiErrorsIntegration,
  cultureContextIntegration as browserCultureContextIntegration,
  globalHandlersIntegration,
  httpContextIntegration,
  linkedErrorsIntegration,
} from "@sentry/browser";
import {
  consoleIntegration,
  conversationIdIntegration,
  dedupeIntegration,
  eventFiltersIntegration,
  functionToStringIntegration,
} from "@sentry/core";

export const LEFT_OUT = ["BrowserSession"];
const CULTURE_READ_MS = 60000;

// @sentry/browser's CultureContext with its answer read once a minute, not per event: reading it
// (`Intl.DateTimeFormat().resolvedOptions()`) was 40% of what a captured error cost the page.
function cultureContextIntegration() {
  const integration = browserCultureContextIntegration();
  let culture;
  let readAt = -Infinity;
  return Object.assign({}, integration, {
    preprocessEvent(event, hint, client) {
      if (Date.now() - readAt >= CULTURE_READ_MS) {
        const probe = {};
        integration.preprocessEvent(probe, hint, client);
        culture = probe.contexts && probe.contexts.culture;
        readAt = Date.now();
      }
      if (culture) {
        event.contexts = Object.assign({}, event.contexts, {
          culture: Object.assign({}, culture, event.contexts && event.contexts.culture),
        });
      }
    },
  });
}

export function defaultIntegrations() {
  return [
    eventFiltersIntegration(),
    functionToStringIntegration(),
    conversationIdIntegration(),
    browserApiErrorsIntegration(),
    breadcrumbsIntegration(),
    consoleIntegration(),
    globalHandlersIntegration(),
    linkedErrorsIntegration(),
    dedupeIntegration(),
    httpContextIntegration(),
    cultureContextIntegration(),
  ];
}
