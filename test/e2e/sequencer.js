// The suites share one n8n: the functional suite, "Add to Slack", reports and late replies first, then the load,
// then the secrets check, which reads everything the others made n8n log and store.
const Sequencer = require('@jest/test-sequencer').default;

const ORDER = ['n8n.e2e.test.ts', 'oauth.e2e.test.ts', 'reports.e2e.test.ts', 'response-url.e2e.test.ts', 'slack-app.e2e.test.ts', 'socket-mode.e2e.test.ts', 'load.e2e.test.ts', 'secrets.e2e.test.ts'];
const rank = (path) => {
	const index = ORDER.findIndex((name) => path.endsWith(name));
	return index === -1 ? ORDER.length : index;
};

module.exports = class E2ESequencer extends Sequencer {
	sort(tests) {
		return [...tests].sort((a, b) => rank(a.path) - rank(b.path));
	}
};
