import { readdirSync, readFileSync } from "node:fs";

/** The worker's memory as the OS sees it: the workerd processes wrangler spawned, read from /proc. */

export type Memory = { rssKb: number; hwmKb: number };

/** Every workerd process descending from this one (wrangler → workerd), found through /proc. */
export function workerdProcesses(): number[] {
  const parentOf = new Map<number, number>();
  const nameOf = new Map<number, string>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readProc(`/proc/${entry}/stat`);
    if (!stat) continue;
    // `pid (comm) state ppid …`; comm may contain spaces or parentheses, so split at the last ')'.
    const close = stat.lastIndexOf(")");
    nameOf.set(Number(entry), stat.slice(stat.indexOf("(") + 1, close));
    parentOf.set(Number(entry), Number(stat.slice(close + 2).split(" ")[1]));
  }
  const descendsFromUs = (pid: number): boolean => {
    for (let current = parentOf.get(pid); current !== undefined && current > 1; current = parentOf.get(current)) {
      if (current === process.pid) return true;
    }
    return false;
  };
  return [...nameOf.entries()]
    .filter(([pid, name]) => name.startsWith("workerd") && descendsFromUs(pid))
    .map(([pid]) => pid);
}

/** Summed over the worker processes: VmRSS now and VmHWM (peak RSS over the process's life). */
export function memoryOf(pids: number[]): Memory {
  let rssKb = 0;
  let hwmKb = 0;
  for (const pid of pids) {
    const status = readProc(`/proc/${pid}/status`) ?? "";
    rssKb += Number(status.match(/^VmRSS:\s+(\d+)/m)?.[1] ?? 0);
    hwmKb += Number(status.match(/^VmHWM:\s+(\d+)/m)?.[1] ?? 0);
  }
  return { rssKb, hwmKb };
}

export function readProc(path: string): string | null {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return null; // the process exited between listing and reading
  }
}
