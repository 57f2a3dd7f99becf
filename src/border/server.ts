/** Moved: the border replica is composed in app/border/createBorderReplica.ts (kept here for old import paths until the folder moves). */
export * from '../app/border/createBorderReplica.js';
