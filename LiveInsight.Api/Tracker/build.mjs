// Builds the tracker: liveinsight.src.js → minified liveinsight.js (+ .gz, .br) in the folder given as argument.
// Prints the three sizes and fails above the budget of 2,048 bytes gzipped. Run by LiveInsight.Api.csproj.
import { build } from 'esbuild';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const GZIP_BUDGET = 2048;
const here = dirname(fileURLToPath(import.meta.url));
const out = process.argv[2] ?? join(here, '..', 'obj', 'tracker');

const result = await build({
  entryPoints: [join(here, 'liveinsight.src.js')],
  bundle: false,
  minify: true,
  target: 'es2019',
  legalComments: 'none',
  write: false,
});
const js = Buffer.from(result.outputFiles[0].text.trimEnd());
const gz = gzipSync(js, { level: 9 });
const br = brotliCompressSync(js, {
  params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: js.length },
});

console.log(`liveinsight.js: ${js.length} bytes raw, ${gz.length} gzip, ${br.length} brotli (budget ${GZIP_BUDGET} gzip)`);
if (gz.length > GZIP_BUDGET) {
  console.error(`error: liveinsight.js is ${gz.length} bytes gzipped, over the ${GZIP_BUDGET}-byte budget`);
  process.exit(1); // before writing: an incremental build must not take an over-budget script as up to date
}

mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'liveinsight.js'), js);
writeFileSync(join(out, 'liveinsight.js.gz'), gz);
writeFileSync(join(out, 'liveinsight.js.br'), br);
