// Copies the browser builds the pages load (GraphiQL's page; Chart.js for
// the reports page; EventCalendar for the calendar) out of an npm install,
// with the licence of every package they contain, and writes MANIFEST.json
// (versions and SHA-256 of each file; tests/project checks it).
// Usage: node collect.mjs <node_modules> <out dir>
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const [modules, out] = process.argv.slice(2);
const BUILDS = [
  ["react", "umd/react.production.min.js", "react.production.min.js"],
  ["react-dom", "umd/react-dom.production.min.js", "react-dom.production.min.js"],
  ["graphiql", "graphiql.min.js", "graphiql.min.js"],
  ["graphiql", "graphiql.min.css", "graphiql.min.css"],
  ["chart.js", "dist/chart.umd.min.js", "chart.umd.min.js"],
  ["@event-calendar/build", "dist/event-calendar.min.js", "event-calendar.min.js"],
  ["@event-calendar/build", "dist/event-calendar.min.css", "event-calendar.min.css"],
];
// Packages published without a licence file: the LICENSE of their source
// repository, kept beside this script.
const HERE = dirname(fileURLToPath(import.meta.url));
const REPOSITORY_LICENCE = {
  "@event-calendar/build": join(HERE, "licences", "event-calendar.LICENSE.txt"),
  "@event-calendar/core": join(HERE, "licences", "event-calendar.LICENSE.txt"),
};
// Packages of the GraphiQL monorepo, named in the source map by their folder.
const MONOREPO = {
  "graphiql-react": "@graphiql/react",
  "graphiql-toolkit": "@graphiql/toolkit",
  "codemirror-graphql": "codemirror-graphql",
  "graphql-language-service": "graphql-language-service",
};

function findIn(root, name) {
  const direct = join(root, name);
  if (existsSync(join(direct, "package.json"))) return direct;
  for (const owner of readdirSync(root)) {
    const scoped = owner.startsWith("@") ? readdirSync(join(root, owner)).map((n) => `${owner}/${n}`) : [owner];
    for (const parent of scoped) {
      const nested = join(root, parent, "node_modules", name);
      if (existsSync(join(nested, "package.json"))) return nested;
    }
  }
  return null;
}

function packageDir(name) {
  const dir = findIn(modules, name);
  if (!dir) throw new Error(`${name} is not in ${modules}`);
  return dir;
}

// A package the bundle holds but the install does not (a build-time helper,
// an optional peer, another version): its licence comes from the current
// release, installed beside the others.
function otherRelease(name) {
  const extra = join(modules, "..", "for-licences");
  const found = existsSync(extra) && findIn(join(extra, "node_modules"), name);
  if (found) return found;
  mkdirSync(extra, { recursive: true });
  execFileSync("npm", ["install", "--prefix", extra, "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error", name]);
  return findIn(join(extra, "node_modules"), name);
}

function about(name) {
  const installed = findIn(modules, name);
  const dir = installed || otherRelease(name);
  const meta = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  const files = readdirSync(dir).filter((f) => /^(licen[cs]e|copying|notice)/i.test(f)).sort().map((f) => join(dir, f));
  if (!files.length && REPOSITORY_LICENCE[name]) files.push(REPOSITORY_LICENCE[name]);
  const version = installed ? meta.version : `${meta.version}, the current release; the build holds another`;
  return { name, dir, version, license: meta.license || "UNKNOWN", files };
}

// Every package whose code a bundle holds, from its source map.
function bundled(owner, sourceMap) {
  const names = new Set([owner]);
  for (const source of JSON.parse(readFileSync(sourceMap, "utf8")).sources) {
    const inModules = [...source.matchAll(/node_modules\/((?:@[^/]+\/)?[^/]+)/g)].pop();
    if (inModules) names.add(inModules[1]);
    const sibling = source.match(/^\.\.\/\.\.\/([^/]+)\//);
    if (sibling && MONOREPO[sibling[1]]) names.add(MONOREPO[sibling[1]]);
    // EventCalendar's build holds its core package, from the same repository.
    if (owner.startsWith("@event-calendar/") && source.startsWith("../../core/")) names.add("@event-calendar/core");
  }
  return [...names].sort();
}

function sha256(path) {
  return createHash("sha256").update(readFileSync(path)).digest("hex");
}

mkdirSync(join(out, "licenses"), { recursive: true });
const manifest = { packages: {}, files: {} };
for (const [name, from, to] of BUILDS) {
  const pkg = about(name);
  copyFileSync(join(pkg.dir, from), join(out, to));
  manifest.packages[name] = pkg.version;
  manifest.files[to] = { package: name, from, sha256: sha256(join(out, to)) };
}
for (const name of Object.keys(manifest.packages)) {
  const pkg = about(name);
  const to = join(out, "licenses", `${name}.LICENSE.txt`);
  mkdirSync(dirname(to), { recursive: true });
  copyFileSync(pkg.files[0], to);
}
// react-dom's build holds the scheduler too; Chart.js's holds @kurkle/color.
const contained = [
  ...bundled("graphiql", join(packageDir("graphiql"), "graphiql.min.js.map")),
  ...["react", "react-dom", "scheduler", "chart.js", "@kurkle/color"],
  ...bundled("@event-calendar/build", join(packageDir("@event-calendar/build"), "dist", "event-calendar.min.js.map")),
];
const notices = [...new Set(contained)].sort().map((name) => {
  const pkg = about(name);
  const texts = pkg.files.map((f) => readFileSync(f, "utf8").trim());
  const body = texts.length ? texts.join("\n\n") : `(The package ships no licence file; its package.json says ${pkg.license}.)`;
  return `${name}@${pkg.version} (${pkg.license})\n\n${body}\n`;
});
const header =
  "The code in this folder's .js and .css files comes from these npm packages.\n" +
  "Their licences follow, as each package ships them. The versions named are\n" +
  "those an install of the pinned packages brings; GraphiQL's and EventCalendar's\n" +
  "builds hold the ones their own releases were built with.\n";
writeFileSync(join(out, "licenses", "THIRD-PARTY-NOTICES.txt"), [header, ...notices].join(`\n${"=".repeat(72)}\n\n`));
for (const path of readdirSync(join(out, "licenses"), { recursive: true }).sort()) {
  const full = join(out, "licenses", path);
  if (statSync(full).isFile()) manifest.files[relative(out, full)] = { sha256: sha256(full) };
}
writeFileSync(join(out, "MANIFEST.json"), `${JSON.stringify(manifest, null, 2)}\n`);
