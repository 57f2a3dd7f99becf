/**
 * Telling this process's listeners that the register's head moved (RegisterStore.onCommit): this
 * process's own commits are announced directly, other processes' arrive by LISTEN/NOTIFY (a NOTIFY is
 * sent inside each sealing transaction, so it is delivered only if it commits). A head is announced
 * once, and only if it is higher than any announced before: a commit seen twice (own + NOTIFY) wakes
 * listeners once. The listening connection opens with the first listener and is reopened after a
 * second if it drops, the head then read again so that commits made meanwhile still wake the long-polls.
 */
import { EventEmitter } from 'node:events';
import type pg from 'pg';
import { createClient, type PostgresLocation } from '../db.js';

export class CommitNotifications {
  private readonly events = new EventEmitter();
  /** The highest head announced to listeners: commits seen twice (own + NOTIFY) are announced once. */
  private announced = 0;
  private listener: pg.Client | null = null;
  private listening = false;
  private reconnect: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    private readonly location: PostgresLocation,
    /** The LISTEN/NOTIFY channel the sealing transactions notify. */
    private readonly channel: string,
    /** Whether to listen for other processes' commits at all (else only this process's are announced). */
    private readonly listenToOthers: boolean,
    /** The schema is ready (the listening connection waits for it). */
    private readonly ready: Promise<void>,
    /** Reads the head of the log, after a (re)connection. */
    private readonly headSeq: () => Promise<number>,
  ) {
    this.events.setMaxListeners(0);
  }

  /** Announces `head` unless a head as high was announced already. */
  announce(head: number): void {
    if (head <= this.announced) return;
    this.announced = head;
    this.events.emit('commit', head);
  }

  /** Adds a listener (opening the listening connection with the first); returns its removal. */
  subscribe(listener: (headSeq: number) => void): () => void {
    this.events.on('commit', listener);
    if (this.listenToOthers) this.listen();
    return () => this.events.off('commit', listener);
  }

  /**
   * Opens the LISTEN connection (once). If it drops, it is reopened after a second, and the head read
   * again so that commits made meanwhile still wake the long-polls.
   */
  private listen(): void {
    if (this.listening || this.closed) return;
    this.listening = true;
    const client = createClient(this.location, 'erx-register-listen');
    this.listener = client;
    const retry = () => {
      if (this.listener !== client) return;
      this.listener = null;
      client.end().catch(() => undefined);
      this.listening = false;
      if (this.closed || this.reconnect) return;
      this.reconnect = setTimeout(() => {
        this.reconnect = null;
        if (this.events.listenerCount('commit') > 0) this.listen();
      }, 1000);
      this.reconnect.unref();
    };
    client.on('error', retry);
    client.on('end', retry);
    client.on('notification', (msg) => {
      const head = Number(msg.payload);
      if (Number.isSafeInteger(head)) this.announce(head);
    });
    (async () => {
      await this.ready;
      await client.connect();
      await client.query(`LISTEN "${this.channel}"`);
      // Commits made while the connection was down are announced now (waiters compare with their cursor).
      this.announce(await this.headSeq());
    })().catch(retry);
  }

  /**
   * Stops reopening the connection at once, lets `drain` (the store's own work) finish, then closes
   * the listening connection. Idempotent.
   */
  async close(drain: () => Promise<void>): Promise<void> {
    this.closed = true;
    await drain();
    if (this.reconnect) clearTimeout(this.reconnect);
    const listener = this.listener;
    this.listener = null;
    if (listener) await listener.end().catch(() => undefined);
  }
}
