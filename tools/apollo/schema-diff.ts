// The breaking-change check: graphql-inspector compares the latest app
// release's schema with today's and fails on any breaking change, except
// removing a field that was deprecated (the release check in
// mobile-contracts confirms no supported release still sends it).
//
//   tsx schema-diff.ts <release schema> <current schema>
import { readFileSync } from "node:fs";

import { CriticalityLevel, DiffRule, diff } from "@graphql-inspector/core";
import { buildSchema } from "graphql";

const [oldFile, newFile] = process.argv.slice(2);
if (!oldFile || !newFile) throw new Error("usage: tsx schema-diff.ts <release schema> <current schema>");
const load = (f: string) => buildSchema(readFileSync(f, "utf8"));

diff(load(oldFile), load(newFile), [DiffRule.suppressRemovalOfDeprecatedField])
  .then((changes) => {
    const breaking = changes.filter((c) => c.criticality.level === CriticalityLevel.Breaking);
    for (const c of changes) console.log(`${c.criticality.level}\t${c.message}`);
    if (breaking.length > 0) {
      console.error(`${breaking.length} breaking change(s) since ${oldFile}: deprecate with @deprecated(reason:) first`);
      process.exit(1);
    }
    console.log(`no breaking change since ${oldFile} (${changes.length} change(s) in all)`);
  })
  .catch((e) => {
    console.error(e);
    process.exit(2);
  });
