const { src, dest, task } = require('gulp');

// tsc emits only JavaScript; n8n loads icons and codex files (*.node.json) from dist beside the nodes.
function copyAssets() {
	return src(['nodes/**/*.{png,svg}', 'nodes/**/*.node.json', 'credentials/**/*.{png,svg}'], { base: '.', encoding: false }).pipe(dest('dist'));
}

task('build:assets', copyAssets);
