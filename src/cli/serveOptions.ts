/**
 * The options of the two services, `erx register serve` and `erx border serve`, each flag with its
 * ERX_ variable (README has the table). Declared once: `erx config print` takes the same ones.
 */
import type { Command } from 'commander';
import { availableParallelism } from 'node:os';
import { DEFAULT_MAX_STALENESS_SECONDS, DEFAULT_TIME_ZONE } from '../border/screening.js';
import { auditHeadEveryOption, busOption, configOption, opt, port, positiveInt, retentionOptions, storeOption, tlsOptions, tokenOption, url, yesNo } from './options.js';

/** The register service's options: flags, each with its ERX_ variable (README has the table). */
export const registerServeOptions = (cmd: Command) =>
  tlsOptions(retentionOptions(
    cmd
      .addOption(configOption())
      .addOption(opt('--port <n>', 'port to listen on (0: any free port)', 'ERX_PORT').argParser(port).default(8080))
      .addOption(opt('--host <host>', 'address to listen on', 'ERX_HOST').default('127.0.0.1'))
      .addOption(opt('--data <dir>', 'where the embedded database lives', 'ERX_DATA').default('./erx-data/register'))
      .addOption(opt('--compact-every <minutes>', 'how often to compact the change log', 'ERX_COMPACT_EVERY').argParser(positiveInt).default(10))
      .addOption(opt('--expiry-every <seconds>', 'how often to lift restrictions not reviewed by their deadline (reason expiry; rules in <data>/due-process.json)', 'ERX_EXPIRY_EVERY').argParser(positiveInt).default(60))
      .addOption(storeOption())
      .addOption(busOption('also publish every signed batch to this NATS JetStream'))
      .addOption(auditHeadEveryOption())
      .addOption(opt('--console-peer <url>', "the border replica's URL as browsers reach it: the web console links to it and may read its status (nowhere else)", 'ERX_CONSOLE_PEER').argParser(url))
      .addOption(opt('--smtp <url>', 'mail relay for notifications to persons (smtp:// or smtps://); without it e-mail notices are given up', 'ERX_SMTP_URL'))
      .addOption(opt('--mail-from <address>', 'From address of notification e-mails', 'ERX_MAIL_FROM'))
      .addOption(opt('--notify-backoff <seconds>', 'wait after a failed notification attempt, doubled after each (at most 1 hour)', 'ERX_NOTIFY_BACKOFF').argParser(positiveInt).default(30))
      .addOption(opt('--notify-attempts <n>', 'attempts before a notification is given up (counted as failed)', 'ERX_NOTIFY_ATTEMPTS').argParser(positiveInt).default(8))
      .option('--no-auth', 'accept requests without tokens (local experiments only)'),
  ));

/** The border replica's options: flags, each with its ERX_ variable (README has the table). */
export const borderServeOptions = (cmd: Command) =>
  tlsOptions(cmd
    .addOption(configOption())
    .addOption(opt('--register <url>', 'the register (or upstream replica) to follow', 'ERX_REGISTER_URL').argParser(url))
    .addOption(opt('--port <n>', 'port to listen on (0: any free port)', 'ERX_PORT').argParser(port).default(8081))
    .addOption(opt('--host <host>', 'address to listen on', 'ERX_HOST').default('127.0.0.1'))
    .addOption(opt('--data <dir>', 'where the replica database lives', 'ERX_DATA').default('./erx-data/border'))
    .addOption(tokenOption('bearer token (role border) for the register feed'))
    .addOption(opt('--trust <file>', 'trusted register keys (from `erx register keys export`); needed on first start unless --trust-on-first-use', 'ERX_TRUST_FILE'))
    .addOption(opt('--trust-on-first-use [yes|no]', 'without --trust: pin the keys the feed publishes at first contact (whoever answers first is trusted; for experiments)', 'ERX_TRUST_ON_FIRST_USE').argParser(yesNo).preset('yes').default(false))
    .addOption(opt('--batch <n>', 'changes to ask for per feed request', 'ERX_BATCH').argParser(positiveInt).default(1000))
    .addOption(opt('--max-staleness <seconds>', 'above this lag a clear becomes a refer ("replica data too old")', 'ERX_MAX_STALENESS').argParser(positiveInt).default(DEFAULT_MAX_STALENESS_SECONDS))
    .addOption(opt('--time-zone <iana>', "the checkpoint's time zone: ages and validity dates are judged on its calendar date", 'ERX_TIME_ZONE').default(DEFAULT_TIME_ZONE))
    .addOption(opt('--verify-every <minutes>', 'compare bucket digests with the register and repair differences at start and at most this often (spaced out further on a large replica: comparisons take at most 5 % of the time)', 'ERX_VERIFY_EVERY').argParser(positiveInt).default(1))
    .addOption(opt('--check-every <minutes>', "check the replica database's structure (SQLite quick_check) at start and this often; damage sets it aside and rebuilds it", 'ERX_CHECK_EVERY').argParser(positiveInt).default(60))
    .addOption(storeOption())
    .addOption(busOption("take changes from the register's NATS JetStream stream instead of long-polling it (snapshots and keys still come from --register)"))
    .addOption(opt('--image [yes|no]', "bootstrap from the feed's replica image (`erx register image`) when it offers one that fits; no: always from the snapshot", 'ERX_IMAGE').argParser(yesNo).preset('yes').default(true))
    .addOption(opt('--serve-feed [yes|no]', 'serve the register\'s signed feed onward, so checkpoints can follow this replica (tiers)', 'ERX_SERVE_FEED').argParser(yesNo).preset('yes').default(false))
    .addOption(auditHeadEveryOption())
    .addOption(opt('--publish-bus <url>', "with --serve-feed: also publish the register's signed batches to a NATS JetStream stream of this replica's own, for its checkpoints (--bus): nats://host:4222?stream=NAME (docs/nats.md)", 'ERX_PUBLISH_BUS'))
    .addOption(opt('--ca <file>', "pin the register's (or upstream replica's) HTTPS certificate to this PEM CA: nothing else is trusted for the feed", 'ERX_CA'))
    .addOption(opt('--workers <n>', 'processes that answer HTTP and screen on the one port and database (worker 0 also follows the feed); 1: a single process (docs/operations.md "Workers")', 'ERX_WORKERS').argParser(positiveInt).default(availableParallelism()))
    .option('--no-auth', 'accept requests without tokens (local experiments only)'));
