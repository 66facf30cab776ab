// Bundles GraphiQL, React and the Monaco editor's workers into static/, the files the app serves
// at /graphiql/static/, with the licences of everything bundled. Run `node build.mjs` here after
// `npm ci`; `node build.mjs OUTDIR` writes elsewhere. The same lock file gives the same bytes:
// file names carry a hash of their contents, and nothing depends on the time or the folder.
import * as esbuild from "esbuild";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const HERE = path.dirname(new URL(import.meta.url).pathname);
const OUTDIR = path.resolve(process.argv[2] ?? path.join(HERE, "static"));
const MANIFEST = "manifest.json";
const LICENCES = "THIRD-PARTY-LICENSES.txt";

// The web fonts that GraphiQL's stylesheet embeds as data: URLs. No npm package of theirs is
// in node_modules, so their notices are here, as each font's own name table states them.
const FONTS = [
  {
    name: "Roboto 2.137 (embedded in graphiql/style.css)",
    notice: "Copyright 2011 Google Inc. All Rights Reserved.",
    licence: "licenses/Apache-2.0.txt",
  },
  {
    name: "Fira Code 5.002 (embedded in graphiql/style.css)",
    notice: "Copyright 2014-2020 The Fira Code Project Authors (https://github.com/tonsky/FiraCode)",
    licence: "licenses/OFL-1.1.txt",
  },
];

// Packages published without a licence file, and the licence file of the repository each
// comes from: React's for react-compiler-runtime, GraphiQL's for its plugins, and the one of
// react-remove-scroll-bar's own repository, kept in licenses/.
const LICENCE_FILES = {
  "react-compiler-runtime": "node_modules/react/LICENSE",
  "@graphiql/plugin-doc-explorer": "node_modules/graphiql/LICENSE",
  "@graphiql/plugin-history": "node_modules/graphiql/LICENSE",
  "react-remove-scroll-bar": "licenses/react-remove-scroll-bar.txt",
};

// The workers, each a classic script that Monaco starts with `new Worker(url)`.
const WORKERS = {
  "editor.worker": "monaco-editor/esm/vs/editor/editor.worker.js",
  "json.worker": "monaco-editor/esm/vs/language/json/json.worker.js",
  "graphql.worker": "monaco-graphql/esm/graphql.worker.js",
};

function fail(message) {
  console.error(`build.mjs: ${message}`);
  process.exit(1);
}

function readJson(file) {
  return JSON.parse(fs.readFileSync(path.join(HERE, file), "utf8"));
}

/** The one output of a build for an entry point, as a file name. */
function outputFor(metafile, entryPoint) {
  const outputs = Object.entries(metafile.outputs).filter(([, o]) => o.entryPoint === entryPoint);
  if (outputs.length !== 1) fail(`expected one output for ${entryPoint}, got ${outputs.length}`);
  return path.basename(outputs[0][0]);
}

/** The folder of the npm package that a bundled input file belongs to, or null. */
function packageDir(input) {
  const parts = input.split("/");
  const last = parts.lastIndexOf("node_modules");
  if (last < 0) return null;
  const length = parts[last + 1].startsWith("@") ? 3 : 2;
  return parts.slice(0, last + length).join("/");
}

/** The licence texts of a package: its LICENSE (or the like), then any third-party notices. */
function licenceTexts(dir, name) {
  if (name in LICENCE_FILES) return [fs.readFileSync(path.join(HERE, LICENCE_FILES[name]), "utf8").trim()];
  const names = fs.readdirSync(path.join(HERE, dir)).sort();
  const licences = names.filter((n) => /^(licen[cs]e|copying)(-[\w.-]+)?(\.(md|txt))?$/i.test(n));
  const notices = names.filter((n) => /^thirdpartynotices(\.txt)?$/i.test(n));
  if (licences.length === 0) fail(`${dir} has no licence file: find its licence before bundling it`);
  return [...licences, ...notices].map((n) =>
    fs.readFileSync(path.join(HERE, dir, n), "utf8").trim(),
  );
}

/** Every bundled package (by the builds' inputs) and font, each with its licence texts. */
function licencesFile(metafiles) {
  const dirs = new Set();
  for (const metafile of metafiles) {
    for (const input of Object.keys(metafile.inputs)) {
      const dir = packageDir(input);
      if (dir !== null) dirs.add(dir);
    }
  }
  const sections = [...dirs].map((dir) => {
    const { name, version, license } = readJson(path.join(dir, "package.json"));
    return { title: `${name} ${version} (${license})`, texts: licenceTexts(dir, name) };
  });
  sections.sort((a, b) => (a.title < b.title ? -1 : a.title > b.title ? 1 : 0));
  for (const font of FONTS) {
    const text = fs.readFileSync(path.join(HERE, font.licence), "utf8").trim();
    sections.push({ title: font.name, texts: [font.notice, text] });
  }
  const rule = "=".repeat(78);
  const head =
    "The files beside this one bundle the following packages and fonts, each under the " +
    "licence that follows its name.\n";
  const body = sections.map(({ title, texts }) => `\n${rule}\n${title}\n${rule}\n\n${texts.join("\n\n")}\n`);
  return head + body.join("");
}

// OUTDIR must be missing, empty, or an earlier build (it has a manifest), as it is replaced
// whole. The build goes to a new temporary folder, which replaces OUTDIR once all is written.
if (fs.existsSync(OUTDIR)) {
  const names = fs.readdirSync(OUTDIR);
  if (names.length > 0 && !names.includes(MANIFEST)) {
    fail(`${OUTDIR} is not empty and holds no ${MANIFEST}: not a folder this script wrote`);
  }
}
const BUILD = fs.mkdtempSync(path.join(os.tmpdir(), "graphiql-build-"));

// graphiql/style.css carries Monaco's stylesheet; it must be that of the Monaco bundled here.
const monaco = readJson("node_modules/monaco-editor/package.json");
const style = fs.readFileSync(path.join(HERE, "node_modules/graphiql/dist/style.css"), "utf8");
if (!style.includes(`Version: ${monaco.version}(`)) {
  fail(`graphiql/style.css does not carry the stylesheet of monaco-editor ${monaco.version}`);
}

const banner = `/* Third-party licences: ${LICENCES} */`;
const common = {
  absWorkingDir: HERE,
  bundle: true,
  minify: true,
  metafile: true,
  outdir: BUILD,
  entryNames: "[name]-[hash]",
  target: "es2022",
  // React and others choose their production code by this.
  define: { "process.env.NODE_ENV": '"production"' },
  // The licences go into one file of their own, named by the banner, not into each bundle.
  legalComments: "none",
  banner: { js: banner, css: banner },
  logLevel: "warning",
};

const workers = await esbuild.build({ ...common, entryPoints: WORKERS, format: "iife" });

// The stylesheet: GraphiQL's, which includes Monaco's.
const styles = await esbuild.build({
  ...common,
  entryPoints: [{ in: "graphiql/style.css", out: "graphiql" }],
});

// The page's script, told the workers' file names. Monaco's modules import their own CSS,
// which graphiql/style.css already holds: the empty loader leaves those imports out.
const worker = (name) => JSON.stringify(outputFor(workers.metafile, `node_modules/${WORKERS[name]}`));
const script = await esbuild.build({
  ...common,
  entryPoints: [{ in: "entry.js", out: "graphiql" }],
  format: "esm",
  loader: { ".css": "empty" },
  define: {
    ...common.define,
    EDITOR_WORKER: worker("editor.worker"),
    GRAPHQL_WORKER: worker("graphql.worker"),
    JSON_WORKER: worker("json.worker"),
  },
});

const metafiles = [workers.metafile, styles.metafile, script.metafile];
fs.writeFileSync(path.join(BUILD, LICENCES), licencesFile(metafiles));
const built = metafiles.flatMap((metafile) => Object.keys(metafile.outputs).map((o) => path.basename(o)));
const manifest = {
  script: outputFor(script.metafile, "entry.js"),
  stylesheet: outputFor(styles.metafile, "node_modules/graphiql/dist/style.css"),
  files: [...built, LICENCES].sort(),
};
fs.writeFileSync(path.join(BUILD, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
fs.rmSync(OUTDIR, { recursive: true, force: true });
fs.cpSync(BUILD, OUTDIR, { recursive: true });
fs.rmSync(BUILD, { recursive: true });
for (const name of manifest.files) {
  const size = fs.statSync(path.join(OUTDIR, name)).size;
  console.log(`${String(size).padStart(10)}  ${name}`);
}
