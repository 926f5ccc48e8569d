// Writes the app's push payload types from the push JSON Schemas
// (mobile-contracts/push/*.schema.json) with quicktype: Kotlin and Swift,
// into mobile-contracts/generated/. make generate runs it; make check
// fails when what it writes differs from what is committed.
//
//   tsx push-types.ts <mobile-contracts directory> [output directory]
//
// (the output directory defaults to its generated/).
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import { InputData, JSONSchemaInput, JSONSchemaStore, type JSONSchema, quicktype } from "quicktype-core";

const dir = process.argv[2];
if (!dir) throw new Error("usage: tsx push-types.ts <mobile-contracts directory>");
const pushDir = join(dir, "push");
const outDir = process.argv[3] ?? join(dir, "generated");

// The schemas name each other by their $id (sameside:push/<file>), which
// quicktype cannot resolve (a URI without a host): in memory only, they
// are put under an https base of a reserved name, mapped back to files.
const base = "https://schemas.sameside.invalid/push/";
const read = (file: string) => readFileSync(join(pushDir, file), "utf8").replaceAll("sameside:push/", base);

class Files extends JSONSchemaStore {
  async fetch(address: string): Promise<JSONSchema | undefined> {
    const file = address.replace(/#.*$/, "").replace(base, "");
    return /^[A-Za-z_]+(\.schema)?\.json$/.test(file) ? JSON.parse(read(file)) : undefined;
  }
}

async function main() {
  const files = readdirSync(pushDir).filter((f) => f.endsWith(".schema.json")).sort();
  const header = "Push payloads (the FCM message the server sends, by data.type), written by tools/apollo/push-types.ts from mobile-contracts/push/*.schema.json. Do not edit.";
  for (const [lang, file, options] of [
    ["kotlin", "PushPayloads.kt", { framework: "kotlinx", package: "org.sameside.push" }],
    ["swift", "PushPayloads.swift", { "access-level": "public" }],
  ] as const) {
    const input = new JSONSchemaInput(new Files());
    for (const f of files) {
      const name = JSON.parse(read(f)).title as string;
      await input.addSource({ name: name.split("_").map((w) => w[0] + w.slice(1).toLowerCase()).join("") + "Push", uris: [base + f] });
    }
    const data = new InputData();
    data.addInput(input);
    const out = await quicktype({ inputData: data, lang, rendererOptions: options, leadingComments: [header] });
    writeFileSync(join(outDir, file), out.lines.join("\n") + "\n");
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
