import type { MiniBotPanelApp } from "./surface.js";

export function registerCampaignRoutes(_app: MiniBotPanelApp): void {}
