export { freePort } from "../../schema/src/local/ports.js";
