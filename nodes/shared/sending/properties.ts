/**
 * The parameter that says which hosts besides Slack's a response URL may point to: the action
 * shows it for Response URL, the Socket Mode trigger for its late replies. A response URL arrives
 * with the request, so this list is what keeps a forged one from sending messages elsewhere.
 */
import type { INodeProperties } from 'n8n-workflow';

export const allowedResponseUrlHostsProperty: INodeProperties = {
	displayName: 'Allowed Response URL Hosts',
	name: 'allowedResponseUrlHosts',
	type: 'string',
	default: '',
	placeholder: 'chat.example.com, http://127.0.0.1:8065',
	description:
		"Hosts besides Slack's whose response URLs the node may post to, separated by commas or new lines: a host, host:port, or http://host:port for plain HTTP. No wildcards (*.example.com): list each host. Slack's own host keeps its 5 messages per response URL.",
	hint: 'A response URL arrives with a request, so only list servers you run, such as Mattermost.',
};
