/**
 * The station's own clock. It may run faster than real time (`timeScale`, so a test sees an hour of
 * data in seconds), start at a chosen instant (`startTime`), and be set by the platform (CN 1012).
 * Schedules run in station time; timers and network timeouts in real time.
 */
export class StationClock {
  private baseStation: number;
  private baseReal: number;

  constructor(
    readonly scale: number,
    start: number | undefined,
    private readonly realNow: () => number = Date.now,
  ) {
    this.baseReal = realNow();
    this.baseStation = start ?? this.baseReal;
  }

  /** Station time now, or at real time `real`. */
  now(real = this.realNow()): number {
    return this.baseStation + (real - this.baseReal) * this.scale;
  }

  /** Real time at which the station clock shows `station`. */
  toReal(station: number): number {
    return this.baseReal + (station - this.baseStation) / this.scale;
  }

  /** Sets the station clock to `station` now (CN 1012). */
  set(station: number): void {
    this.baseReal = this.realNow();
    this.baseStation = station;
  }
}
