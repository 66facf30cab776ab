// Projects the map shapes of the results explorer into SVG paths under static/, the files the
// app reads to draw its maps inline: the US states from us-atlas (US Census Bureau), keyed by
// their ISO 3166-2 code ("US-GA"), and the countries of the world from world-atlas (Natural
// Earth), keyed by their ISO 3166-1 numeric code. Run `node build.mjs` here after `npm ci`;
// `node build.mjs OUTDIR` writes elsewhere. The same lock file gives the same bytes: nothing
// depends on the time or the folder.
import { geoEqualEarth, geoPath } from "d3-geo";
import fs from "node:fs";
import path from "node:path";
import { feature } from "topojson-client";

const HERE = path.dirname(new URL(import.meta.url).pathname);
const OUTDIR = path.resolve(process.argv[2] ?? path.join(HERE, "static"));

// us-atlas keys its states by FIPS code; ISO 3166-2 names them by postal code. Every state,
// the District of Columbia and the territories the atlas draws.
const FIPS_TO_POSTAL = {
  "01": "AL", "02": "AK", "04": "AZ", "05": "AR", "06": "CA", "08": "CO", "09": "CT",
  "10": "DE", "11": "DC", "12": "FL", "13": "GA", "15": "HI", "16": "ID", "17": "IL",
  "18": "IN", "19": "IA", "20": "KS", "21": "KY", "22": "LA", "23": "ME", "24": "MD",
  "25": "MA", "26": "MI", "27": "MN", "28": "MS", "29": "MO", "30": "MT", "31": "NE",
  "32": "NV", "33": "NH", "34": "NJ", "35": "NM", "36": "NY", "37": "NC", "38": "ND",
  "39": "OH", "40": "OK", "41": "OR", "42": "PA", "44": "RI", "45": "SC", "46": "SD",
  "47": "TN", "48": "TX", "49": "UT", "50": "VT", "51": "VA", "53": "WA", "54": "WV",
  "55": "WI", "56": "WY", "60": "AS", "66": "GU", "69": "MP", "72": "PR", "78": "VI",
};

function fail(message) {
  console.error(`build.mjs: ${message}`);
  process.exit(1);
}

function readJson(file) {
  return JSON.parse(fs.readFileSync(path.join(HERE, file), "utf8"));
}

/**
 * A path renderer that rounds every point to `digits` decimals and drops a point that rounds
 * onto the one before it: at the size the pages draw, finer detail only weighs.
 */
function roundedPath(projection, digits) {
  const scale = 10 ** digits;
  const round = (v) => Math.round(v * scale) / scale;
  let parts = [];
  let ring = [];
  const flush = () => {
    if (ring.length >= 3) {
      parts.push(`M${ring.map(([x, y]) => `${x},${y}`).join("L")}Z`);
    }
    ring = [];
  };
  const context = {
    moveTo(x, y) { flush(); ring.push([round(x), round(y)]); },
    lineTo(x, y) {
      const point = [round(x), round(y)];
      const last = ring[ring.length - 1];
      if (last[0] !== point[0] || last[1] !== point[1]) ring.push(point);
    },
    closePath() { flush(); },
    arc() { fail("a point geometry in the atlas: only areas are drawn"); },
  };
  const render = geoPath(projection, context);
  return (geometry) => {
    parts = [];
    ring = [];
    render(geometry);
    flush();
    return parts.join("");
  };
}

function usStates() {
  const { version } = readJson("node_modules/us-atlas/package.json");
  // The atlas's own Albers USA projection (Alaska and Hawaii moved in), 975 × 610 pixels.
  const topology = readJson("node_modules/us-atlas/states-albers-10m.json");
  const states = feature(topology, topology.objects.states).features;
  const draw = roundedPath(null, 0);
  const areas = states.map((state) => {
    const postal = FIPS_TO_POSTAL[state.id];
    if (postal === undefined) fail(`us-atlas state ${state.id} (${state.properties.name}) has no postal code here`);
    return { code: `US-${postal}`, name: state.properties.name, d: draw(state) };
  });
  areas.sort((a, b) => (a.code < b.code ? -1 : 1));
  return {
    source: `us-atlas ${version}, states-albers-10m.json: US Census Bureau cartographic boundaries, Albers USA projection`,
    width: 975,
    height: 610,
    areas,
  };
}

function worldCountries() {
  const { version } = readJson("node_modules/world-atlas/package.json");
  const topology = readJson("node_modules/world-atlas/countries-110m.json");
  const countries = feature(topology, topology.objects.countries);
  const width = 960;
  const height = 470;
  const projection = geoEqualEarth().fitSize([width, height], countries);
  const draw = roundedPath(projection, 1);
  // A few shapes have no ISO code in Natural Earth (Kosovo, Northern Cyprus, Somaliland):
  // they are drawn as land without a code.
  const areas = countries.features.map((country) => ({
    code: country.id ?? null,
    name: country.properties.name,
    d: draw(country),
  }));
  areas.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return {
    source: `world-atlas ${version}, countries-110m.json: Natural Earth 1:110m admin 0 countries, Equal Earth projection`,
    width,
    height,
    areas,
  };
}

/** The licences of the packages whose shapes the files carry, as each package states it. */
function licences() {
  const sections = ["us-atlas", "world-atlas"].map((name) => {
    const { version, license } = readJson(`node_modules/${name}/package.json`);
    const text = fs.readFileSync(path.join(HERE, "node_modules", name, "LICENSE"), "utf8").trim();
    return `${"=".repeat(78)}\n${name} ${version} (${license})\n${"=".repeat(78)}\n\n${text}\n`;
  });
  return (
    "The files beside this one carry shapes projected from the following packages, each under " +
    "the licence that follows its name. Their data come from the US Census Bureau's " +
    "cartographic boundary files and from Natural Earth, both in the public domain.\n\n" +
    sections.join("\n")
  );
}

const files = { "us-states.json": usStates(), "world-countries.json": worldCountries() };
fs.mkdirSync(OUTDIR, { recursive: true });
for (const [name, map] of Object.entries(files)) {
  const text = `${JSON.stringify(map, null, 1)}\n`;
  fs.writeFileSync(path.join(OUTDIR, name), text);
  console.log(`${String(text.length).padStart(10)}  ${name}  (${map.areas.length} areas)`);
}
fs.writeFileSync(path.join(OUTDIR, "THIRD-PARTY-LICENSES.txt"), licences());
