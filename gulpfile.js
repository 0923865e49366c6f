const { rmSync } = require('node:fs');
const { src, dest, task } = require('gulp');

// A build starts from an empty dist: a file left from an earlier build (a renamed module, say) would
// otherwise be packed and published with the new ones.
task('clean', async () => rmSync('dist', { recursive: true, force: true }));

// tsc emits only JavaScript; n8n loads icons and codex files (*.node.json) from dist beside the nodes.
function copyAssets() {
	return src(['nodes/**/*.{png,svg}', 'nodes/**/*.node.json', 'credentials/**/*.{png,svg}'], { base: '.', encoding: false }).pipe(dest('dist'));
}

task('build:assets', copyAssets);
