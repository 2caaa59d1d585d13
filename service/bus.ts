import { EventEmitter } from 'node:events';

/**
 * The typed in-process events every part of the daemon publishes; the websocket feed relays them as they are,
 * so nothing secret may ever be put in a payload (see api/feed.ts, which also strips known secret keys).
 */
export interface BusEvents {
  firmwareReceived: {
    sha256: string;
    size: number;
    fileName: string;
    source: string;
    tag?: string | undefined;
    duplicate: boolean;
  };
  jobQueued: { jobId: string; sha256: string; fileName: string };
  jobStarted: { jobId: string; sha256: string; attempt: number };
  analysisProgress: { jobId: string; sha256: string; stage: string; percent: number; message?: string | undefined };
  analysisDone: { jobId: string; sha256: string; durationMs: number; errorCount: number; findingCount: number };
  jobFailed: { jobId: string; sha256: string; code: string; message: string; willRetry: boolean };
  deviceSeen: { deviceId: string; address: string; source: string };
  alertRaised: { alertId: string; severity: string; title: string };
  collectorStatus: { source: string; status: 'ok' | 'error'; message?: string | undefined };
}

export type BusEventName = keyof BusEvents;
export type BusListener<K extends BusEventName> = (payload: BusEvents[K]) => void;
export interface BusEnvelope<K extends BusEventName = BusEventName> {
  type: K;
  at: string;
  data: BusEvents[K];
}

/**
 * A listener that throws must not stop delivery to the others, nor reach the publisher (which is often in
 * the middle of committing a job); the error goes to the onListenerError hook instead.
 */
export class EventBus {
  private readonly emitter = new EventEmitter();
  private readonly anyListeners = new Set<(e: BusEnvelope) => void>();

  constructor(private readonly onListenerError: (event: string, err: unknown) => void = () => {}) {
    this.emitter.setMaxListeners(100);
  }

  on<K extends BusEventName>(event: K, listener: BusListener<K>): () => void {
    const wrapped = (payload: BusEvents[K]) => {
      try {
        listener(payload);
      } catch (err) {
        this.onListenerError(event, err);
      }
    };
    this.emitter.on(event, wrapped);
    return () => this.emitter.off(event, wrapped);
  }

  /** Every event, wrapped with its name and time: what the websocket feed relays. */
  onAny(listener: (e: BusEnvelope) => void): () => void {
    this.anyListeners.add(listener);
    return () => this.anyListeners.delete(listener);
  }

  emit<K extends BusEventName>(event: K, payload: BusEvents[K]): void {
    this.emitter.emit(event, payload);
    if (this.anyListeners.size === 0) return;
    const envelope: BusEnvelope = { type: event, at: new Date().toISOString(), data: payload } as BusEnvelope;
    for (const listener of this.anyListeners) {
      try {
        listener(envelope);
      } catch (err) {
        this.onListenerError('*', err);
      }
    }
  }
}
