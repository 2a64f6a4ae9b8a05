import { DateTimeResolver, JSONResolver } from "graphql-scalars";
import { builder } from "./builder.js";

builder.addScalarType("DateTime", DateTimeResolver);
builder.addScalarType("JSON", JSONResolver);

builder.scalarType("File", {
  description: "A file sent as a part of a multipart request (GraphQL multipart request spec). Input only.",
  serialize: () => {
    throw new Error("File is an input-only scalar");
  },
});
