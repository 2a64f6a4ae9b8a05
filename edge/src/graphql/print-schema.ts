import { writeFileSync } from "node:fs";
import { printSchema } from "graphql";
import { schema } from "./schema.js";

/** `npm run schema:print`: writes the committed SDL that a test keeps honest. */
const target = new URL("../../../schema/schema.graphql", import.meta.url);
writeFileSync(target, `${printSchema(schema)}\n`);
console.log(`wrote ${target.pathname}`);
