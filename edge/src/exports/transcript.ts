import type { TranscriptTurn } from "./service.js";

const SPEAKER_LABELS: Record<TranscriptTurn["speaker"], string> = {
  agent: "Agent",
  contact: "Contact",
  system: "System",
};

/** `[2025-01-15 14:10:05] Agent: …`, one line per turn (UTC); line breaks inside a turn become spaces. */
export function transcriptText(turns: readonly TranscriptTurn[]): string {
  return turns.map(transcriptLine).join("\n");
}

export function transcriptLine(turn: TranscriptTurn): string {
  const at = turn.spokenAt.toISOString().slice(0, 19).replace("T", " ");
  const text = turn.text.replace(/\s*[\r\n]+\s*/g, " ").trim();
  return `[${at}] ${SPEAKER_LABELS[turn.speaker]}: ${text}`;
}
