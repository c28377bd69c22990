// parse.cjs - parse PowerShell scripts with the tree-sitter PowerShell
// grammar (tree-sitter-powershell's .wasm, run by web-tree-sitter) and say
// where each has an ERROR or a MISSING node: text PowerShell's own parser
// would refuse or read otherwise than meant.
//	node parse.cjs FILE...   one line per file: "ok FILE" or
//	"bad FILE ROW:COL TYPE ..." (rows and columns from 1)
'use strict';
const fs = require('fs');
const path = require('path');
const { Parser, Language } = require('web-tree-sitter');

const wasm = path.join(path.dirname(require.resolve(
    'tree-sitter-powershell/package.json')), 'tree-sitter-powershell.wasm');

function problems(node, out) {
	if (node.isError || node.isMissing)
		out.push(`${node.startPosition.row + 1}:` +
		    `${node.startPosition.column + 1} ` +
		    (node.isMissing ? `MISSING ${node.type}` : 'ERROR'));
	for (const child of node.children)
		problems(child, out);
	return out;
}

(async () => {
	await Parser.init();
	const parser = new Parser();
	parser.setLanguage(await Language.load(wasm));
	for (const file of process.argv.slice(2)) {
		const tree = parser.parse(fs.readFileSync(file, 'utf8'));
		const bad = problems(tree.rootNode, []);
		console.log(bad.length ? `bad ${file} ${bad.slice(0, 5).join(' ')}`
		    : `ok ${file}`);
	}
})().catch((e) => {
	console.error(String(e));
	process.exit(2);
});
