// `npm run lint:cloud`: the same checks with @n8n/eslint-plugin-community-nodes' `recommended` set's
// rules on: no-runtime-dependencies (off in `npm run lint`) and the two that set has for n8n Cloud
// only, no-restricted-imports and no-restricted-globals. This package uses undici and ioredis at
// runtime, so they report errors by design: the package is for self-hosted n8n. Not part of CI.
import { configs as communityNodes } from '@n8n/eslint-plugin-community-nodes';

import selfHosted from './eslint.config.mjs';

const cloud = communityNodes.recommended;

export default [
	...selfHosted,
	{
		files: ['credentials/**/*.ts', 'nodes/**/*.ts', 'package.json'],
		plugins: cloud.plugins,
		rules: {
			'@n8n/community-nodes/no-runtime-dependencies': 'error',
			'@n8n/community-nodes/no-restricted-imports': 'error',
			'@n8n/community-nodes/no-restricted-globals': 'error',
		},
	},
];
