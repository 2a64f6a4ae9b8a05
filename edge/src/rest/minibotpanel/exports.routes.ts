import type { MiniBotPanelApp } from "./surface.js";

export function registerExportRoutes(_app: MiniBotPanelApp): void {}
