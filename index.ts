// n8n loads the nodes and credentials listed under "n8n" in package.json; this entry point lets
// other code reuse the building blocks.
export { SlackIncomingWebhookApi } from './credentials/SlackIncomingWebhookApi.credentials';
export { SlackIncomingWebhookOAuth2Api } from './credentials/SlackIncomingWebhookOAuth2Api.credentials';
export { SlackIncomingWebhook } from './nodes/SlackIncomingWebhook/SlackIncomingWebhook.node';
export { buildWebhookMessage } from './nodes/SlackIncomingWebhook/message/build';
export { WebhookSender, WebhookDeliveryError } from './nodes/shared/sending/sender';
export { redactWebhookUrl } from './nodes/shared/redact';
export { SlackOutgoingWebhookApi } from './credentials/SlackOutgoingWebhookApi.credentials';
export { SlackOutgoingWebhookTrigger } from './nodes/SlackOutgoingWebhookTrigger/SlackOutgoingWebhookTrigger.node';
export { SlackSocketModeApi } from './credentials/SlackSocketModeApi.credentials';
export { SlackSocketModeTrigger } from './nodes/SlackSocketModeTrigger/SlackSocketModeTrigger.node';
