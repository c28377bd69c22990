// yaml2json.js - YAML files to JSON files for ajv-cli, numbered in order:
//	node yaml2json.js OUTDIR FILE...  writes OUTDIR/0.json, OUTDIR/1.json ...
// YAML 1.2 core schema, as egressc types scalars: true/false, integers and
// null are typed, everything else (dates too) stays a string; a duplicate
// key is an error.  A file that does not parse gets no JSON file and one
// line "N error MESSAGE" on standard output.
'use strict';
const fs = require('fs');
const path = require('path');
const YAML = require('yaml');

const [outdir, ...files] = process.argv.slice(2);
files.forEach((file, i) => {
	try {
		const doc = YAML.parse(fs.readFileSync(file, 'utf8'),
		    { schema: 'core', uniqueKeys: true, maxAliasCount: 100 });
		fs.writeFileSync(path.join(outdir, `${i}.json`),
		    JSON.stringify(doc === undefined ? null : doc));
	} catch (e) {
		console.log(`${i} error ${String(e.message).split('\n')[0]}`);
	}
});
