import {
	NodeConnectionTypes,
	type ICredentialTestFunctions,
	type ICredentialsDecrypted,
	type IDataObject,
	type IHookFunctions,
	type INodeCredentialTestResult,
	type INodeType,
	type INodeTypeDescription,
	type IWebhookFunctions,
	type IWebhookResponseData,
} from 'n8n-workflow';

import { verificationKeysOf } from './credential-cache';
import { claimIncomingMessage } from '../shared/state/from-node';
import { triggerProperties } from './description';
import { matchMessage, postedMessageItem } from '../shared/slack-app/matching';
import { incomingMessageKey, detectSource, readPostedFields, readPostedToken } from '../shared/slack-app/message';
import { assertUsableSettings } from './activation';
import { duplicateWindowSeconds, ignoreRulesFrom, immediateReply, readMatchSettings } from '../shared/trigger-parameters/read';
import { shapeLastNodeResponse, statusForUnstartedClaim, writeReply } from './http-reply';
import { describeInvalidTeamId, firstInvalidTeamId } from '../shared/slack-app/teams';
import { handleSlackAppRequest } from './slack-app';
import {
	bodyKind,
	describeVerificationProblem,
	signedRequestFrom,
	verificationSettingsFrom,
	verifyRequestWithKeys,
	type Verdict,
} from './verify';

type RespondMode = 'immediately' | 'lastNode' | 'responseNode' | 'noReply';

/** n8n's response mode for each Respond option: with "onReceived", n8n sends the reply the node returns. */
export function responseModeFor(respond: unknown): 'onReceived' | 'lastNode' | 'responseNode' {
	return respond === 'lastNode' ? 'lastNode' : respond === 'responseNode' ? 'responseNode' : 'onReceived';
}

const RESPONSE_MODE_TEMPLATE =
	'={{ $parameter["respond"] === "lastNode" ? "lastNode" : $parameter["respond"] === "responseNode" ? "responseNode" : "onReceived" }}';

/**
 * What n8n answers with: the last node's first item when the last node replies; otherwise nothing
 * of its own, so that n8n sends the reply this node returns as `webhookResponse`.
 */
export function responseDataFor(respond: unknown): 'firstEntryJson' | '' {
	return respond === 'lastNode' ? 'firstEntryJson' : '';
}

const RESPONSE_DATA_TEMPLATE = '={{ $parameter["respond"] === "lastNode" ? "firstEntryJson" : "" }}';

/**
 * n8n 2.x evaluates webhook description expressions in an isolated VM on every request, which
 * costs more than everything else this trigger does. Since n8n-workflow 2.40 a description may
 * carry a native resolver per field, used while the node's parameters hold no expression; older
 * n8n ignores the symbol and evaluates the template, which gives the same value.
 */
const nativeResolvers = {
	[Symbol.for('n8n.webhookDescriptionResolvers')]: {
		responseMode: {
			template: RESPONSE_MODE_TEMPLATE,
			resolve: (parameters: IDataObject) => responseModeFor(parameters.respond),
		},
		responseData: {
			template: RESPONSE_DATA_TEMPLATE,
			resolve: (parameters: IDataObject) => responseDataFor(parameters.respond),
		},
	},
};

export class SlackOutgoingWebhookTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Slack Outgoing Webhook Trigger',
		name: 'slackOutgoingWebhookTrigger',
		icon: { light: 'file:slackOutgoingWebhook.svg', dark: 'file:slackOutgoingWebhook.dark.svg' },
		group: ['trigger'],
		// Version 2 runs the checks that need no secret before it reads the credential (see webhook()).
		// Version 3 also takes a Slack app's Events API requests and interactivity (slack-app.ts), which
		// versions 1 and 2 answer with an empty 200 and start nothing for.
		version: [1, 2, 3],
		defaultVersion: 3,
		subtitle: '={{ $parameter["triggerWords"] || $parameter["channels"] }}',
		description: "Starts the workflow when Slack (outgoing webhook, slash command, or a Slack app's events and button clicks) or Mattermost posts a message, and replies in the channel",
		defaults: { name: 'Slack Outgoing Webhook Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{ name: 'slackWebhooksOutgoingApi', required: true, testedBy: 'slackOutgoingWebhookTest' },
			// n8n's own Redis credential type (n8n-nodes-base), so a queue-mode setup reuses the Redis
			// credential it has. n8n's community rules want a package's own credentials only: kept
			// visible here, and docs/queue-mode.md says why.
			// eslint-disable-next-line @n8n/community-nodes/no-credential-reuse, @n8n/community-nodes/valid-credential-references
			{ name: 'redis', required: true, displayOptions: { show: { shareThroughRedis: [true] } } },
		],
		webhooks: [
			{
				name: 'default',
				httpMethod: 'POST',
				responseMode: RESPONSE_MODE_TEMPLATE,
				responseData: RESPONSE_DATA_TEMPLATE,
				path: 'slack',
				...nativeResolvers,
			},
		],
		properties: triggerProperties,
	};

	methods = {
		credentialTest: {
			async slackOutgoingWebhookTest(
				this: ICredentialTestFunctions,
				credential: ICredentialsDecrypted,
			): Promise<INodeCredentialTestResult> {
				// Nothing remote to ask: Slack calls n8n, not the other way round. Check what can be checked.
				const data = credential.data ?? {};
				const problem = describeVerificationProblem(verificationSettingsFrom(data));
				if (problem) return { status: 'Error', message: problem };
				const badTeam = firstInvalidTeamId(data.allowedTeamIds);
				if (badTeam) return { status: 'Error', message: describeInvalidTeamId(badTeam) };
				return { status: 'OK', message: 'The settings are complete; send a message from Slack to try them' };
			},
		},
	};

	// Not registered anywhere (Slack is configured by hand); these refuse to activate a trigger
	// that could never work, and say why.
	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				await assertUsableSettings(this);
				return false;
			},
			async create(this: IHookFunctions): Promise<boolean> {
				await assertUsableSettings(this);
				return true;
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				return true;
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const request = this.getRequestObject();
		const response = this.getResponseObject();
		/** Answers a request that starts nothing: refused, filtered out, or a repeat. */
		const answer = (status: number): IWebhookResponseData => {
			writeReply(response, status);
			return { noWebhookResponse: true };
		};
		const kind = bodyKind(request.headers['content-type']);
		if (!kind) return answer(415);
		const body: unknown = request.body;
		if (this.getNode().typeVersion >= 3) {
			const slackApp = await handleSlackAppRequest(this, kind, body, {
				answer,
				matchSettings: readMatchSettings(this),
				options: this.getNodeParameter('options', {}) as IDataObject,
				n8nAnswersOnReceived: responseModeFor(this.getNodeParameter('respond', 'immediately')) === 'onReceived',
			});
			if (slackApp) return slackApp;
		}
		const fields = readPostedFields(body);

		/** Checks the request against the credential's keys, kept for a while after n8n's read (see credentialCache). */
		const verify = async (): Promise<Verdict> => {
			const keys = await verificationKeysOf(this);
			const verdict = verifyRequestWithKeys(signedRequestFrom(request, readPostedToken(body), fields.team_id), keys);
			if (!verdict.ok) this.logger.debug(`Slack Outgoing Webhook Trigger refused a request: ${verdict.reason}`);
			return verdict;
		};

		// Version 1 verifies every request first. Version 2 first decides, with no secret, whether the
		// message would start anything: most of what reaches a busy trigger does not, and then it
		// costs no verification. Its answer is the same empty 200 whether or not the request is
		// authentic, but a caller without the token can tell it from the 401 a matching message gets,
		// and so learn the filters; Verify Before Filtering closes that, at the cost of verifying
		// every request.
		const options = this.getNodeParameter('options', {}) as IDataObject;
		const verifiesFirst = this.getNode().typeVersion < 2 || options.verifyBeforeFiltering === true;
		if (verifiesFirst) {
			const verdict = await verify();
			if (!verdict.ok) return answer(verdict.status);
		}
		const source = detectSource(fields, kind === 'json');
		const match = matchMessage(fields, source, readMatchSettings(this), ignoreRulesFrom(options));
		if (!match) return answer(200);
		if (!verifiesFirst) {
			const verdict = await verify();
			if (!verdict.ok) return answer(verdict.status);
		}

		// Only an authentic incoming message is recorded: otherwise anyone could claim a message ahead of
		// Slack and silence the real one.
		const respond = this.getNodeParameter('respond', 'immediately') as RespondMode;
		const windowSeconds = duplicateWindowSeconds(options);
		const key = incomingMessageKey(fields);
		if (key && windowSeconds > 0) {
			const claim = await claimIncomingMessage(this, key, windowSeconds * 1000, responseModeFor(respond) === 'onReceived');
			if (claim !== 'new') return answer(statusForUnstartedClaim(claim));
		}

		const item = postedMessageItem(fields, source, match, new Date()) as IDataObject;
		const workflowData = [this.helpers.returnJsonArray([item])];

		// n8n sends `webhookResponse` itself, after it has created the execution (2.x; 1.x sends it
		// first): a message Slack is told was received is never one n8n failed to start.
		if (respond === 'immediately') return { workflowData, webhookResponse: immediateReply(this) ?? '' };
		if (respond === 'noReply') return { workflowData, webhookResponse: '' };
		if (respond === 'lastNode') shapeLastNodeResponse(response);
		return { workflowData };
	}
}
