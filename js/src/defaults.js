// @sentry/browser's getDefaultIntegrations(), less BrowserSession (the host owns the one session
// per run). `npm run check` fails when @sentry/browser's list changes.
import {
  breadcrumbsIntegration,
  browserApiErrorsIntegration,
  cultureContextIntegration,
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
