import type { MiniBotPanelApp } from "./surface.js";

export function registerStatsRoutes(_app: MiniBotPanelApp): void {}
