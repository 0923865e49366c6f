// Lints with the two rule sets n8n's community package scanner runs: eslint-plugin-n8n-nodes-base
// (community, credentials, nodes) and @n8n/eslint-plugin-community-nodes, in its set without n8n
// Cloud support, as n8n's node starter configures it. The rules this package breaks on purpose are
// listed in docs/development.md, "n8n Cloud".
import tsParser from '@typescript-eslint/parser';
import n8nNodesBase from 'eslint-plugin-n8n-nodes-base';
import { configs as communityNodes } from '@n8n/eslint-plugin-community-nodes';

const legacyRules = (name) => n8nNodesBase.configs[name].rules;
const community = communityNodes.recommendedWithoutN8nCloudSupport;

export default [
	{ ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'docs/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
	{
		files: ['**/*.ts'],
		languageOptions: { parser: tsParser, parserOptions: { sourceType: 'module' } },
	},
	{
		files: ['package.json'],
		languageOptions: { parser: tsParser, parserOptions: { extraFileExtensions: ['.json'] } },
		plugins: { 'n8n-nodes-base': n8nNodesBase },
		rules: legacyRules('community'),
	},
	{
		files: ['credentials/**/*.ts'],
		plugins: { 'n8n-nodes-base': n8nNodesBase },
		rules: {
			...legacyRules('credentials'),
			// The rule's own documentation: "Only applicable to nodes in the main repository".
			'n8n-nodes-base/cred-class-field-documentation-url-miscased': 'off',
		},
	},
	{
		files: ['nodes/**/*.ts'],
		plugins: { 'n8n-nodes-base': n8nNodesBase },
		rules: {
			...legacyRules('nodes'),
			// These two predate NodeConnectionTypes and contradict the newer
			// @n8n/community-nodes/node-connection-type-literal, which n8n's newest nodes follow.
			'n8n-nodes-base/node-class-description-inputs-wrong-regular-node': 'off',
			'n8n-nodes-base/node-class-description-outputs-wrong': 'off',
		},
	},
	{
		files: ['credentials/**/*.ts', 'nodes/**/*.ts', 'package.json'],
		...community,
		rules: {
			...community.rules,
			// Broken on purpose: the transport is undici and the shared state ioredis, runtime
			// dependencies. The rule is an error in both of the plugin's sets, not only n8n Cloud's, so
			// n8n's scanner fails the package on it; `npm run lint:cloud` turns it back on.
			'@n8n/community-nodes/no-runtime-dependencies': 'off',
		},
	},
];
