#!/usr/bin/env node
// The Socket Mode benchmark's limit (bench/n8n.mjs, cases f and g): a WebSocket client of a few
// lines that parses and acknowledges each envelope, in a process of its own as n8n is, so that it
// does not share a core with the stand-in and the load it measures against.
// Usage: node bench/socket-bare-client.mjs <Slack API base URL> <app-level token>; prints "ready".
import { WebSocket } from 'undici';

const [apiBaseUrl, appToken] = process.argv.slice(2);
const opened = await fetch(`${apiBaseUrl}apps.connections.open`, { method: 'POST', headers: { authorization: `Bearer ${appToken}` } });
const ws = new WebSocket((await opened.json()).url);
ws.addEventListener('message', (event) => {
	const frame = JSON.parse(String(event.data));
	if (frame.envelope_id) ws.send(JSON.stringify({ envelope_id: frame.envelope_id }));
});
ws.addEventListener('open', () => console.log('ready'));
ws.addEventListener('close', () => process.exit(0));
