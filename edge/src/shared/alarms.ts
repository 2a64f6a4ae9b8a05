/** The part of a Durable Object's storage that holds its one alarm. */
type AlarmStorage = { getAlarm(): Promise<number | null>; setAlarm(scheduledTime: number): Promise<void> };

/**
 * Keeps the earlier of the set alarm and `at`. Inside alarm() getAlarm() is null unless a request set one
 * meanwhile, and that earlier alarm must survive the running alarm's later one.
 */
export async function setAlarmNoLaterThan(storage: AlarmStorage, at: number): Promise<void> {
  const current = await storage.getAlarm();
  if (current === null || current > at) await storage.setAlarm(at);
}
